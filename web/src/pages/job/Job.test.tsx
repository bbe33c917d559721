// The job page against a stand-in for the browser's EventSource: a `job` event that
// carries an error is a "not found", never the page's job; a reconnect says so and
// does not show the output twice.
import { act, render, screen } from "@testing-library/react";
import type { JobDetail, Member } from "../../api";
import { setLang } from "../../i18n";
import { JobPage } from "./Job";

type Listener = (e: { data: string; lastEventId: string }) => void;
class FakeSource {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 2;
  static last: FakeSource | null = null;
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, Listener[]>();
  constructor(readonly url: string) {
    FakeSource.last = this;
  }
  addEventListener(type: string, f: Listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), f]);
  }
  emit(type: string, data: unknown, lastEventId = "") {
    for (const f of this.listeners.get(type) ?? []) f({ data: JSON.stringify(data), lastEventId });
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop() {
    this.readyState = 0;
    this.onerror?.();
  }
  close() {
    this.readyState = 2;
  }
}

const me: Member = { handle: "ada", name: "Ada", skills: [], interests: [], steward: false, joined_at: "2026-01-01T00:00:00Z" };
const job: JobDetail = {
  id: 7,
  project_id: 1,
  owner: "ada",
  name: "profile",
  gpus: 1,
  time_limit_s: null,
  workdir: "/tmp",
  argv: ["sh", "-c", "true"],
  env: {},
  state: "running",
  restarts: 0,
  gpu_ids: [0],
  exit_code: null,
  reason: "",
  stopping: "",
  submitted_at: "2026-01-01T00:00:00Z",
  started_at: "2026-01-01T00:00:01Z",
  finished_at: null,
  gpu_hours_used: 0,
  notes: [],
};

beforeEach(() => {
  setLang("en");
  vi.stubGlobal("EventSource", FakeSource);
  // GET /api/v1/jobs/ID never answers here: the stream alone drives the page.
  vi.stubGlobal("fetch", vi.fn(() => new Promise(() => undefined)));
});
afterEach(() => vi.unstubAllGlobals());

test("an unknown job id is a not-found page, and the stream is closed", () => {
  render(<JobPage id={999} me={me} />);
  const source = FakeSource.last!;
  act(() => {
    source.open();
    source.emit("job", { error: { code: "not_found", message: "no job 999", field: "" } });
  });
  expect(screen.getByRole("heading", { name: "Not found" })).toBeTruthy();
  expect(source.readyState).toBe(FakeSource.CLOSED);
});

test("a dropped stream says it is reconnecting, and its replay is not shown twice", () => {
  render(<JobPage id={7} me={me} />);
  const source = FakeSource.last!;
  act(() => {
    source.open();
    source.emit("job", job);
    source.emit("log", { text: "step 1\n" });
  });
  expect(screen.getByTestId("job-link").textContent).toBe("live");
  act(() => source.drop());
  expect(screen.getByTestId("job-link").textContent).toBe("reconnecting…");
  act(() => {
    source.open(); // a server without event ids starts the output again
    source.emit("log", { text: "step 1\nstep 2\n" });
  });
  expect(screen.getByTestId("job-log").textContent).toBe("step 1\nstep 2\n");
  expect(screen.getByTestId("job-link").textContent).toBe("live");
});
