import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { api, ApiError, type Member, type Session } from "../../api";
import { setLang } from "../../i18n";
import { AccountPanel, ForgotPassword } from ".";

const member = (handle: string, steward = false): Member =>
  ({ handle, name: handle, emails: [], skills: [], interests: [], steward, joined_at: "2026-01-01T00:00:00Z" }) as Member;
const session = (id: number, current: boolean): Session => ({
  id,
  name: "login",
  created_at: "2026-01-01T00:00:00Z",
  revoked_at: null,
  current,
  session: true,
  last_used_at: "2026-01-02T00:00:00Z",
  expires_at: "2026-01-09T00:00:00Z",
});

beforeEach(() => setLang("en"));
afterEach(() => vi.restoreAllMocks());

test("a member sees their sessions and ends the others", async () => {
  vi.spyOn(api, "sessions").mockResolvedValue({ items: [session(1, true), session(2, false)], next_cursor: null });
  const end = vi.spyOn(api, "endSessions").mockResolvedValue({ ended: 1 });
  render(<AccountPanel handle="ada" me={member("ada")} />);
  expect(await screen.findByText(/this one/)).toBeTruthy();
  fireEvent.click(screen.getByRole("button", { name: "End my other sessions" }));
  expect(await screen.findByText("1 session or token ended.")).toBeTruthy();
  expect(end).toHaveBeenCalledWith("ada");
  expect(screen.getByRole("form", { name: "Change your password" })).toBeTruthy();
});

test("another member's page shows no account panel unless you are a steward", async () => {
  const sessions = vi.spyOn(api, "sessions").mockResolvedValue({ items: [session(3, false)], next_cursor: null });
  const { container, unmount } = render(<AccountPanel handle="bob" me={member("ada")} />);
  expect(container.textContent).toBe("");
  expect(sessions).not.toHaveBeenCalled();
  unmount();
  vi.spyOn(api, "issueReset").mockResolvedValue({ handle: "bob", code: "qsr_abc", expires_at: "2026-01-01T02:00:00Z" });
  render(<AccountPanel handle="bob" me={member("steward", true)} />);
  expect(await screen.findByRole("button", { name: "End all of @bob’s sessions" })).toBeTruthy();
  fireEvent.click(screen.getByRole("button", { name: "Issue a reset code for @bob" }));
  expect((await screen.findByTestId("reset-code")).textContent).toBe("qsr_abc");
});

test("a forgotten password in a lab without mail: the steward's code, then sign in", async () => {
  vi.spyOn(api, "requestReset").mockRejectedValue(new ApiError(409, "failed_precondition", "this lab sends no mail", ""));
  const use = vi.spyOn(api, "useReset").mockResolvedValue(member("bob"));
  vi.spyOn(api, "signIn").mockResolvedValue({ csrf: "x", member: member("bob") });
  const onSignedIn = vi.fn();
  render(<ForgotPassword onSignedIn={onSignedIn} onBack={vi.fn()} />);
  fireEvent.change(screen.getByLabelText("Handle"), { target: { value: "bob" } });
  fireEvent.click(screen.getByRole("button", { name: "Mail me a code" }));
  expect(await screen.findByText(/This lab sends no mail/)).toBeTruthy();
  fireEvent.change(screen.getByLabelText("Reset code"), { target: { value: " qsr_abc " } });
  fireEvent.change(screen.getByLabelText("New password"), { target: { value: "a new long password" } });
  fireEvent.click(screen.getByRole("button", { name: "Set the new password and sign in" }));
  await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
  expect(use).toHaveBeenCalledWith("bob", "qsr_abc", "a new long password");
});
