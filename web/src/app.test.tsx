// Not found, crashes and errors: what the app shows instead of a blank page.
import { render, screen } from "@testing-library/react";
import { api, ApiError, type InboxItem, type Member } from "./api";
import { ErrorBoundary, NotFound } from "./errors";
import { setLang, useT } from "./i18n";
import { InboxPage } from "./pages/inbox";
import { describeError, Loading } from "./util";

beforeEach(() => setLang("en"));

function Boom(): never {
  throw new Error("kaboom");
}

test("a page that throws shows an error panel with a way back, not a blank app", () => {
  const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
  const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
  render(
    <div>
      <p>top bar</p>
      <ErrorBoundary>
        <Boom />
      </ErrorBoundary>
    </div>,
  );
  expect(screen.getByText("top bar")).toBeTruthy();
  expect(screen.getByRole("heading", { name: "This page broke" })).toBeTruthy();
  expect(screen.getByRole("link", { name: "Back to the ideas" }).getAttribute("href")).toBe("/ideas");
  spy.mockRestore();
  warn.mockRestore();
});

test("a 404 while loading is a not-found page", () => {
  render(<Loading error={new ApiError(404, "not_found", "no job 99", "")} />);
  expect(screen.getByRole("heading", { name: "Not found" })).toBeTruthy();
  render(<NotFound />);
});

test("errors are translated by code and field; English keeps the server's words", () => {
  const e = new ApiError(422, "invalid_argument", "a title is 1 to 200 characters", "title");
  function Show() {
    const { t, lang } = useT();
    return <p>{describeError(e, t, lang)}</p>;
  }
  const { unmount } = render(<Show />);
  expect(screen.getByText("a title is 1 to 200 characters")).toBeTruthy();
  unmount();
  setLang("zh");
  render(<Show />);
  expect(screen.getByText("有输入不合规。 （字段：title）")).toBeTruthy();
});

test("the inbox: what waits for my answer, and what I asked, from GET /me/inbox", async () => {
  const item = (project_id: number, handle: string, state: InboxItem["state"], acted_by: string): InboxItem => ({
    project_id,
    project_title: `p${project_id}`,
    handle,
    state,
    message: "",
    acted_by,
    updated_at: `2026-01-0${project_id}T00:00:00Z`,
  });
  const spy = vi.spyOn(api, "inbox").mockResolvedValue({
    awaiting: { items: [item(2, "ada", "invited", "dee"), item(1, "bob", "applied", "bob")], total: 203 },
    asked: { items: [item(3, "ada", "applied", "ada")], total: 1 },
    limit: 200,
  });
  const me = { handle: "ada" } as Member;
  render(<InboxPage me={me} />);
  expect(await screen.findByTestId("inbox-mine")).toBeTruthy();
  expect(screen.getByTestId("inbox-mine").textContent).toContain("You are invited to p2");
  expect(screen.getByTestId("inbox-mine").textContent).toContain("@bob applies to p1");
  expect(screen.getByTestId("inbox-asked").textContent).toContain("You applied to p3");
  // Past the server's bound, the page says what it leaves out; the count is the total.
  expect(screen.getByText("The newest 2 of 203 are shown; answer some to see the rest.")).toBeTruthy();
  expect(spy).toHaveBeenCalledTimes(1);
  spy.mockRestore();
});
