// Why a job waits or ended, and the notes the lab itself writes into the ledger, as
// the server writes them (English sentences with numbers and names), in the
// reader's language. Each pattern is one phrase the scheduler or
// the compute service writes; a sentence no pattern knows stays as sent.
import { kindName, type Lang } from "./i18n";

const zh: [RegExp, string][] = [
  [/asks for more GPUs than the cluster has/g, "申请的 GPU 多于集群的总数"],
  [/waiting for GPUs being released/g, "等待 GPU 被释放"],
  [/(\d+) GPUs? being released by preempted jobs/g, "被抢占作业释放的 $1 个 GPU"],
  [/within its project's share/g, "在项目份额之内"],
  [/next in line and waited ([^:;]+)/g, "排在下一个，已等待 $1"],
  [/next in line/g, "排在下一个"],
  [/: preempting (\d+) borrowing job\(s\)/g, "：抢占 $1 个超出份额的作业"],
  [/: borrowers become preemptible in ([^(]+) \(their minimum runtime\)/g, "：超出份额的作业在 $1后可被抢占（其最短运行时间）"],
  [/higher priority: preempting (\d+) job\(s\)/g, "优先级更高：抢占 $1 个作业"],
  [/reserved next: waiting for /g, "已预留为下一个：等待 "],
  [/would delay the reserved job; waiting for /g, "会推迟已预留的作业；等待 "],
  [/; (\d+) GPUs? free/g, "；空闲 $1 个 GPU"],
  [/waiting for (\d+) GPUs?/g, "等待 $1 个 GPU"],
  [/cancelled by @([\w-]+) before it ran again/g, "@$1 在它再次运行前取消了它"],
  [/cancelled by @([\w-]+) before it ran/g, "@$1 在它运行前取消了它"],
  [/cancelled by @([\w-]+)/g, "@$1 取消了它"],
  [/preempted to make room for a project under its share; back in the queue/g, "为低于份额的项目让出资源而被抢占；已回到队列"],
  [/its start was cut short by a server restart; back in the queue/g, "启动被服务器重启打断；已回到队列"],
  [/stopped at its time limit/g, "到达时间上限而停止"],
  [/killed by signal (\d+)/g, "被信号 $1 终止"],
  [/^exited (-?\d+)$/g, "退出码 $1"],
  [/could not start: /g, "无法启动："],
  [/(\d+) s\b/g, "$1 秒"],
  [/(\d+) min\b/g, "$1 分钟"],
];

export function reasonText(lang: Lang, text: string): string {
  if (lang !== "zh" || !text) return text;
  return zh.reduce((s, [pattern, to]) => s.replace(pattern, to), text);
}

const states: Record<string, string> = {
  pending: "等待中",
  running: "运行中",
  preempted: "被抢占",
  succeeded: "成功",
  failed: "失败",
  cancelled: "已取消",
};
const outcomes: Record<string, string> = { success: "成功", failure: "失败", negative: "负面结果" };

// Notes the lab writes (a member's own words, like a boost's reason or an outcome's
// text, stay as written; only the lab's phrases around them change).
const notesZh: [RegExp, (...m: string[]) => string][] = [
  [/^posted the idea: (.*)$/s, (t) => `提出了想法：${t}`],
  [/^backed the idea: (.*)$/s, (t) => `支持了想法：${t}`],
  [/^started the project: (.*)$/s, (t) => `发起了项目：${t}`],
  [/^backed the project$/, () => "支持了项目"],
  [/^joined the project by their own accept$/, () => "本人同意后加入了项目"],
  [/^claimed the task: (.*)$/s, (t) => `认领了任务：${t}`],
  [/^did the task: (.*)$/s, (t) => `完成了任务：${t}`],
  [
    /^job (.*) (pending|running|preempted|succeeded|failed|cancelled)(?: \((.*?)\))?(?: after (\d+) restart\(s\))?$/s,
    (name, state, why, restarts) =>
      `作业 ${name} ${states[state ?? ""] ?? state}${why ? `（${reasonText("zh", why)}）` : ""}${restarts ? `，此前重启 ${restarts} 次` : ""}`,
  ],
  [/^(success|failure|negative): (.*)$/s, (o, t) => `${outcomes[o ?? ""] ?? o}：${t}`],
  [/^proved (\S+) with a code sent to it; its entries are @([\w-]+)'s$/, (email, who) => `用发到 ${email} 的验证码证明了它；它的记录归 @${who}`],
  [/^record (\d+) milli, points (\d+)$/, (r, p) => `记录权重 ${r}‰，得分 ${p}`],
  [/^confirmed entry (\d+) \(([\w-]+)\)$/, (seq, kind) => `确认了记录 #${seq}（${kindName("zh", kind ?? "")}）`],
];

export function noteText(lang: Lang, text: string): string {
  if (lang !== "zh" || !text) return text;
  for (const [pattern, to] of notesZh) {
    const m = pattern.exec(text);
    if (m) return to(...m.slice(1).map((x) => x ?? ""));
  }
  return text;
}
