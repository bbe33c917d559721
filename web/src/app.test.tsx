// Not found, crashes and errors: what the app shows instead of a blank page.
import { render, screen } from "@testing-library/react";
import { ApiError, type Project } from "./api";
import { ErrorBoundary, NotFound } from "./errors";
import { setLang, useT } from "./i18n";
import { sortInbox } from "./inbox";
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

test("the inbox: what waits for my answer, and what I asked", () => {
  const project = (id: number, members: string[], memberships: [string, Project["memberships"][number]["state"]][]): Project => ({
    id,
    title: `p${id}`,
    pitch: "",
    idea_id: null,
    initiator: members[0] ?? "x",
    looking_for: [],
    members,
    backers: [],
    created_at: "2026-01-01T00:00:00Z",
    memberships: memberships.map(([handle, state]) => ({ handle, state, message: "", updated_at: `2026-01-0${id}T00:00:00Z` })),
  });
  const inbox = sortInbox(
    [
      project(1, ["ada"], [["ada", "active"], ["bob", "applied"], ["cy", "invited"]]),
      project(2, ["dee"], [["dee", "active"], ["ada", "invited"]]),
      project(3, ["eve"], [["eve", "active"], ["ada", "applied"], ["bob", "applied"]]),
      project(4, ["fay"], [["fay", "active"], ["ada", "declined"]]),
    ],
    "ada",
  );
  expect(inbox.mine.map((i) => `${i.project.id}:${i.membership.handle}:${i.membership.state}`)).toEqual(["2:ada:invited", "1:bob:applied"]);
  expect(inbox.asked.map((i) => `${i.project.id}:${i.membership.handle}:${i.membership.state}`)).toEqual(["3:ada:applied", "1:cy:invited"]);
});
