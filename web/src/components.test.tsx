import { render, screen } from "@testing-library/react";
import type { LedgerEntry } from "./api";
import { HeatMap } from "./pages/Record";

const entry = (seq: number, at: string): LedgerEntry => ({
  seq,
  at,
  actor: "ada",
  contributor: "@ada",
  kind: "software",
  project_id: 1,
  quantity: 0,
  unit: "",
  evidence: "",
  note: "",
  self: false,
  corrects: null,
});

test("the heat map has a cell per day of the year, and counts each day's entries", () => {
  const today = new Date("2026-11-30T12:00:00Z");
  render(
    <HeatMap
      today={today}
      entries={[entry(1, "2026-11-30T08:00:00Z"), entry(2, "2026-11-30T09:00:00Z"), entry(3, "2026-06-01T10:00:00Z"), entry(4, "2024-01-01T00:00:00Z")]}
    />,
  );
  const map = screen.getByRole("img", { name: "Contributions over the year" });
  const cells = map.querySelectorAll("rect");
  expect(cells.length).toBeGreaterThanOrEqual(365);
  expect(cells.length).toBeLessThanOrEqual(371);
  expect(map.querySelector("rect:last-of-type title")?.textContent).toBe("2026-11-30: 2 contributions");
  expect([...map.querySelectorAll("title")].some((t) => t.textContent === "2026-06-01: 1 contributions")).toBe(true);
  expect(map.querySelectorAll(".l4")).toHaveLength(1);
});
