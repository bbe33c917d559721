import { render, screen } from "@testing-library/react";
import type { LedgerEntry } from "./api";
import { HeatMap, rank } from "./pages/record";

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
  prev: "",
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
  expect([...map.querySelectorAll("title")].some((t) => t.textContent === "2026-06-01: 1 contribution")).toBe(true);
  expect(map.querySelectorAll(".l4")).toHaveLength(1);
});

test("the hall of fame counts a proven email as its member, and skips corrected entries", () => {
  const e = (seq: number, contributor: string, kind: string, extra: Partial<LedgerEntry> = {}) => ({
    ...entry(seq, "2026-11-20T00:00:00Z"),
    contributor,
    kind,
    ...extra,
  });
  const entries = [
    e(1, "email:lin@example.org", "software"),
    e(2, "email:lin@example.org", "software"),
    e(3, "@ada", "software"),
    e(4, "@ada", "review"),
    e(5, "@lin", "identity-merge", { evidence: "email:lin@example.org" }),
    e(6, "@ada", "software", { corrects: 3, at: "2026-11-21T00:00:00Z" }),
    e(7, "@bob", "software", { at: "2025-01-01T00:00:00Z" }),
  ];
  expect(rank(entries, 0, "software")).toEqual([
    ["@lin", 2],
    ["@ada", 1],
    ["@bob", 1],
  ]);
  // Since 2026 and of any kind: lin's two commits and the merge itself; ada's review
  // and the correction, not the entry it corrected; bob's is too old.
  expect(rank(entries, Date.parse("2026-01-01T00:00:00Z"), "")).toEqual([
    ["@lin", 3],
    ["@ada", 2],
  ]);
});
