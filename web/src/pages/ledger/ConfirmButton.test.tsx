import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { api, ApiError, type LedgerEntry, type Member } from "../../api";
import { setLang } from "../../i18n";
import { ConfirmButton } from "./ConfirmButton";

const me: Member = { handle: "bob", name: "Bob", skills: [], interests: [], steward: false, joined_at: "2026-01-01T00:00:00Z" };
const entry: LedgerEntry = {
  seq: 12,
  at: "2026-01-02T00:00:00Z",
  actor: "ada",
  contributor: "@ada",
  kind: "writing",
  project_id: null,
  quantity: 0,
  unit: "",
  evidence: "",
  note: "the draft",
  self: true,
  corrects: null,
  prev: "",
};

beforeEach(() => setLang("en"));

test("another member's self-recorded entry can be confirmed, and the confirmation is an entry", async () => {
  const spy = vi.spyOn(api, "confirmEntry").mockResolvedValue({ ...entry, seq: 13, actor: "bob", contributor: "@bob", kind: "confirmation", evidence: "entry:12", self: false });
  render(<ConfirmButton entry={entry} me={me} />);
  fireEvent.click(screen.getByRole("button", { name: "Confirm" }));
  expect((await screen.findByRole("status")).textContent).toBe("Confirmed (entry #13)");
  expect(spy).toHaveBeenCalledWith(12);
  spy.mockRestore();
});

test("no button for one's own entry, one's own record of another, or the lab's own kinds", () => {
  const { container, rerender } = render(<ConfirmButton entry={{ ...entry, actor: "bob", contributor: "@bob" }} me={me} />);
  expect(container.querySelector("button")).toBeNull();
  rerender(<ConfirmButton entry={{ ...entry, actor: "bob", self: false }} me={me} />);
  expect(container.querySelector("button")).toBeNull();
  rerender(<ConfirmButton entry={{ ...entry, kind: "reward", self: false }} me={me} />);
  expect(container.querySelector("button")).toBeNull();
});

test("a refused confirmation says why", async () => {
  const spy = vi.spyOn(api, "confirmEntry").mockRejectedValue(new ApiError(409, "already_exists", "you confirmed entry 12 already", ""));
  render(<ConfirmButton entry={entry} me={me} />);
  fireEvent.click(screen.getByRole("button", { name: "Confirm" }));
  await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("already"));
  spy.mockRestore();
});
