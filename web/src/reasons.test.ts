import { noteText, reasonText } from "./reasons";

test("the scheduler's reasons read in Chinese, numbers kept", () => {
  expect(reasonText("zh", "waiting for 2 GPUs; 1 GPU free")).toBe("等待 2 个 GPU；空闲 1 个 GPU");
  expect(reasonText("zh", "next in line: borrowers become preemptible in 40 s (their minimum runtime)")).toBe(
    "排在下一个：超出份额的作业在 40 秒后可被抢占（其最短运行时间）",
  );
  expect(reasonText("zh", "within its project's share: preempting 3 borrowing job(s)")).toBe("在项目份额之内：抢占 3 个超出份额的作业");
  expect(reasonText("zh", "cancelled by @ada before it ran")).toBe("@ada 在它运行前取消了它");
  expect(reasonText("zh", "exited 1")).toBe("退出码 1");
});

test("English stays as sent, and an unknown sentence too", () => {
  expect(reasonText("en", "waiting for 2 GPUs; 1 GPU free")).toBe("waiting for 2 GPUs; 1 GPU free");
  expect(reasonText("zh", "something new")).toBe("something new");
});

test("the lab's ledger notes read in Chinese; members' own words stay", () => {
  expect(noteText("zh", "posted the idea: Block-sparse attention")).toBe("提出了想法：Block-sparse attention");
  expect(noteText("zh", "confirmed entry 7 (formal-analysis)")).toBe("确认了记录 #7（形式分析）");
  expect(noteText("zh", "job profile succeeded (exited 0)")).toBe("作业 profile 成功（退出码 0）");
  expect(noteText("zh", "job big run failed (killed by signal 9) after 2 restart(s)")).toBe("作业 big run 失败（被信号 9 终止），此前重启 2 次");
  expect(noteText("zh", "negative: lr 1e-2 diverges")).toBe("负面结果：lr 1e-2 diverges");
  expect(noteText("zh", "paper deadline")).toBe("paper deadline");
  expect(noteText("en", "posted the idea: x")).toBe("posted the idea: x");
});
