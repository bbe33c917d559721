// The GPUs machine by machine: each machine with its state, how many of its GPUs are
// busy, and why a drained one takes no new runs, in both languages.
import { cleanup, render, screen, within } from "@testing-library/react";
import type { Cluster } from "../../api";
import { nodeStateName, setLang } from "../../i18n";
import { GpuGrid } from "./Cluster";

const cluster: Cluster = {
  gpus: [0, 1, 2, 3, 4, 5].map((index) => ({
    index,
    job: index < 3 ? { id: 12, project_id: 1, owner: "ada", name: "train" } : null,
  })),
  pending: 0,
  projects: [],
  nodes: [
    { name: "n1", gpus: [0, 1, 2, 3], schedulable: true, state: "mixed", reason: "" },
    { name: "n2", gpus: [4, 5], schedulable: false, state: "drained", reason: "fan broken" },
  ],
};

afterEach(() => {
  cleanup();
  setLang("en");
});

test("each machine shows its state, its busy GPUs and why it takes no new runs", () => {
  setLang("en");
  render(<GpuGrid cluster={cluster} />);
  const n1 = screen.getByRole("region", { name: "Machine n1" });
  expect(within(n1).getByText("mixed")).toBeTruthy();
  expect(within(n1).getByText("3/4 GPUs busy")).toBeTruthy();
  expect(n1.querySelectorAll(".gpu")).toHaveLength(4);
  expect(n1.querySelectorAll(".gpu.busy")).toHaveLength(3);
  expect(within(n1).queryByRole("note")).toBeNull();
  const n2 = screen.getByRole("region", { name: "Machine n2" });
  expect(within(n2).getByText("drained")).toBeTruthy();
  expect(within(n2).getByText("0/2 GPUs busy")).toBeTruthy();
  expect(within(n2).getByRole("note").textContent).toBe("takes no new runs: fan broken");
  expect(n2.querySelectorAll(".gpu")).toHaveLength(2);
});

test("in Chinese too; the operator's reason stays as written", () => {
  setLang("zh");
  render(<GpuGrid cluster={cluster} />);
  const n2 = screen.getByRole("region", { name: "机器 n2" });
  expect(within(n2).getByText("已排空")).toBeTruthy();
  expect(within(n2).getByRole("note").textContent).toBe("不接收新的运行：fan broken");
});

test("a state's words are translated, Slurm's flags and unknown words kept", () => {
  expect(nodeStateName("zh", "mixed+drain")).toBe("部分占用+排空中");
  expect(nodeStateName("zh", "down*")).toBe("宕机*");
  expect(nodeStateName("zh", "IDLE")).toBe("空闲");
  expect(nodeStateName("zh", "brand-new")).toBe("brand-new");
  expect(nodeStateName("en", "alloc")).toBe("allocated");
});
