// The one typed client of the Qiusuo API (/api/v1, see src/http/openapi.json).
// The browser session is an HttpOnly cookie the page never sees; every request
// that changes something carries X-CSRF-Token, read from the qs_csrf cookie.

import type { components, paths } from "./api.gen";

// The API's types come from the server's OpenAPI document (src/api.gen.ts, made by
// `npm run gen:api`); only what the document leaves loose is narrowed here.
type Schemas = components["schemas"];
type Ok<P extends keyof paths, M extends "get" | "post"> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer T } } };
}
  ? T
  : never;

export type ErrorCode = Schemas["Error"]["error"]["code"];
export type Member = Schemas["Member"];
// A session (from signing in) or an API token, as GET /members/{handle}/sessions lists them.
export type Session = Schemas["Token"];
export type IssuedReset = Schemas["IssuedPasswordReset"];
export type Idea = Schemas["Idea"];
export type Membership = Schemas["MembershipRecord"];
export type MembershipState = Membership["state"];
// A membership waiting for an answer, and the two lists of GET /me/inbox.
export type InboxItem = Schemas["InboxItem"];
export type InboxLists = Schemas["Inbox"];
export type Project = Schemas["Project"];
export type Task = Schemas["Task"];
export type Job = Schemas["Job"];
export type JobDetail = Schemas["JobDetail"];
export type QueueEntry = Schemas["QueueEntry"];
export type JobState = Job["state"];
export type LogChunk = Schemas["LogChunk"];
// What a POST or PUT of `P` sends, as the document says.
type Body<P extends keyof paths, M extends "post" | "put" | "patch"> = paths[P][M] extends {
  requestBody: { content: { "application/json": infer T } };
}
  ? T
  : never;
export type JobSubmission = Body<"/api/v1/jobs", "post">;
export type NewProject = Body<"/api/v1/projects", "post">;
export type NewRound = Body<"/api/v1/rewards/rounds", "post">;
export type PointsGiven = Body<"/api/v1/rewards/rounds/{id}/points", "put">["points"];
export type Outcome = Body<"/api/v1/jobs/{id}/notes", "post">["outcome"];
export type ProfileEdit = Body<"/api/v1/me", "patch">;
export type IdeaEdit = Body<"/api/v1/ideas/{id}", "patch">;
export type Boost = Schemas["Boost"];
export type ClusterProject = Schemas["Cluster"]["projects"][number];
// The document says only "an object or null" for the job on a GPU.
export type Cluster = Omit<Schemas["Cluster"], "gpus"> & {
  gpus: { index: number; job: { id: number; project_id: number; owner: string; name: string } | null }[];
};
// Mean share of GPUs busy per bucket; null where the server kept no sample.
export type Utilization = Ok<"/api/v1/cluster/utilization", "get">;
export type LedgerKey = Ok<"/api/v1/ledger/key", "get">;
export type LedgerEntry = Schemas["LedgerEntry"];
export type LedgerEntryList = Schemas["LedgerEntryList"];
export type ContributionKind = Schemas["ContributionKind"];
export type MemberRecord = Schemas["Record"];
export type Total = MemberRecord["by_kind"][number];
export type Checkpoint = Schemas["Checkpoint"];
export type InclusionProof = Schemas["InclusionProof"];
export type AuthorList = Schemas["AuthorList"];
export type RewardRound = Schemas["RewardRound"];
export type Payout = RewardRound["payout"][number];
export interface Listing<T> {
  items: T[];
  next_cursor: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

// Every route this client calls, as [method, path template]: checked against the
// server's OpenAPI document by api.test.ts.
export const ROUTES = [
  ["POST", "/api/v1/members"],
  ["POST", "/api/v1/sessions"],
  ["DELETE", "/api/v1/sessions/current"],
  ["GET", "/api/v1/me"],
  ["PATCH", "/api/v1/me"],
  ["GET", "/api/v1/me/inbox"],
  ["GET", "/api/v1/members/{handle}"],
  ["GET", "/api/v1/jobs/{id}/logs"],
  ["GET", "/api/v1/members"],
  ["GET", "/api/v1/ideas"],
  ["POST", "/api/v1/ideas"],
  ["GET", "/api/v1/ideas/{id}"],
  ["PATCH", "/api/v1/ideas/{id}"],
  ["PUT", "/api/v1/ideas/{id}/backing"],
  ["DELETE", "/api/v1/ideas/{id}/backing"],
  ["GET", "/api/v1/projects"],
  ["POST", "/api/v1/projects"],
  ["GET", "/api/v1/projects/{id}"],
  ["PUT", "/api/v1/projects/{id}/backing"],
  ["DELETE", "/api/v1/projects/{id}/backing"],
  ["POST", "/api/v1/projects/{id}/apply"],
  ["POST", "/api/v1/projects/{id}/leave"],
  ["POST", "/api/v1/projects/{id}/invitations/{handle}"],
  ["POST", "/api/v1/projects/{id}/memberships/{handle}/accept"],
  ["POST", "/api/v1/projects/{id}/memberships/{handle}/decline"],
  ["POST", "/api/v1/projects/{id}/memberships/{handle}/withdraw"],
  ["GET", "/api/v1/projects/{id}/tasks"],
  ["POST", "/api/v1/projects/{id}/tasks"],
  ["POST", "/api/v1/tasks/{id}/claim"],
  ["POST", "/api/v1/tasks/{id}/unclaim"],
  ["POST", "/api/v1/tasks/{id}/done"],
  ["GET", "/api/v1/jobs"],
  ["POST", "/api/v1/jobs"],
  ["GET", "/api/v1/jobs/{id}"],
  ["POST", "/api/v1/jobs/{id}/cancel"],
  ["POST", "/api/v1/jobs/{id}/notes"],
  ["GET", "/api/v1/queue"],
  ["GET", "/api/v1/cluster"],
  ["GET", "/api/v1/cluster/utilization"],
  ["GET", "/api/v1/events"],
  ["GET", "/api/v1/boosts"],
  ["POST", "/api/v1/projects/{id}/boosts"],
  ["POST", "/api/v1/rewards/rounds"],
  ["POST", "/api/v1/rewards/rounds/{id}/close"],
  ["GET", "/api/v1/ledger/key"],
  ["GET", "/api/v1/ledger/checkpoint"],
  ["GET", "/api/v1/ledger/entries"],
  ["POST", "/api/v1/ledger/entries/{seq}/confirm"],
  ["GET", "/api/v1/ledger/export"],
  ["GET", "/api/v1/ledger/proof/inclusion"],
  ["GET", "/api/v1/members/{handle}/record"],
  ["GET", "/api/v1/projects/{id}/authors"],
  ["GET", "/api/v1/rewards/rounds"],
  ["GET", "/api/v1/rewards/rounds/{id}"],
  ["PUT", "/api/v1/rewards/rounds/{id}/points"],
  ["POST", "/api/v1/me/password"],
  ["POST", "/api/v1/password-resets"],
  ["POST", "/api/v1/password-resets/use"],
  ["POST", "/api/v1/members/{handle}/password-reset"],
  ["GET", "/api/v1/members/{handle}/sessions"],
  ["DELETE", "/api/v1/members/{handle}/sessions"],
] as const;

export function csrfToken(): string {
  const m = /(?:^|;\s*)qs_csrf=([0-9a-f]+)/.exec(document.cookie);
  return m?.[1] ?? "";
}

// Called when the server no longer knows the session (expired, revoked, signed out
// elsewhere): the app goes back to its sign-in page.
let sessionEnded: () => void = () => undefined;
export function onSessionEnded(fn: () => void): void {
  sessionEnded = fn;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const type = res.headers.get("Content-Type") ?? "";
  if (!res.ok) {
    let code = "error";
    let message = `${res.status} ${res.statusText}`;
    let field = "";
    try {
      const e = (JSON.parse(text) as { error: { code: string; message: string; field: string } })
        .error;
      code = e.code;
      message = e.message;
      field = e.field;
    } catch {
      // not JSON: keep the status line
    }
    if (res.status === 401 && path !== "/api/v1/me" && path !== "/api/v1/sessions") sessionEnded();
    throw new ApiError(res.status, code, message, field);
  }
  return (type.startsWith("application/json") ? JSON.parse(text) : text) as T;
}

const q = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") s.set(k, String(v));
  const text = s.toString();
  return text ? `?${text}` : "";
};
const enc = encodeURIComponent;

export const api = {
  signUp: (handle: string, password: string, name: string) =>
    call<Member>("POST", "/api/v1/members", { handle, password, name }),
  signIn: (handle: string, password: string) =>
    call<{ csrf: string; member: Member }>("POST", "/api/v1/sessions", {
      handle,
      password,
      cookie: true,
    }),
  signOut: () => call<unknown>("DELETE", "/api/v1/sessions/current"),
  me: () => call<Member>("GET", "/api/v1/me"),
  editMe: (m: ProfileEdit) => call<Member>("PATCH", "/api/v1/me", m),
  inbox: () => call<InboxLists>("GET", "/api/v1/me/inbox"),
  member: (handle: string) => call<Member>("GET", `/api/v1/members/${enc(handle)}`),
  members: () => call<Listing<Member>>("GET", "/api/v1/members?limit=200"),

  ideas: (search = "", cursor?: string) =>
    call<Listing<Idea>>("GET", `/api/v1/ideas${q({ q: search, cursor, limit: 30 })}`),
  idea: (id: number) => call<Idea>("GET", `/api/v1/ideas/${id}`),
  editIdea: (id: number, edit: IdeaEdit) => call<Idea>("PATCH", `/api/v1/ideas/${id}`, edit),
  postIdea: (title: string, pitch: string) =>
    call<Idea>("POST", "/api/v1/ideas", { title, pitch }),
  backIdea: (id: number, back: boolean) =>
    call<Idea>(back ? "PUT" : "DELETE", `/api/v1/ideas/${id}/backing`),

  projects: (cursor?: string, limit = 30) =>
    call<Listing<Project>>("GET", `/api/v1/projects${q({ cursor, limit })}`),
  project: (id: number) => call<Project>("GET", `/api/v1/projects/${id}`),
  startProject: (p: NewProject) => call<Project>("POST", "/api/v1/projects", p),
  backProject: (id: number, back: boolean) =>
    call<Project>(back ? "PUT" : "DELETE", `/api/v1/projects/${id}/backing`),
  apply: (id: number, message: string) =>
    call<Membership>("POST", `/api/v1/projects/${id}/apply`, { message }),
  leave: (id: number) => call<Membership>("POST", `/api/v1/projects/${id}/leave`, {}),
  invite: (id: number, handle: string, message: string) =>
    call<Membership>("POST", `/api/v1/projects/${id}/invitations/${enc(handle)}`, { message }),
  membership: (id: number, handle: string, act: "accept" | "decline" | "withdraw") =>
    call<Membership>("POST", `/api/v1/projects/${id}/memberships/${enc(handle)}/${act}`, {}),
  // Oldest first, 100 a page: next_cursor asks for the tasks after the last one shown.
  tasks: (id: number, cursor?: string) =>
    call<Listing<Task>>("GET", `/api/v1/projects/${id}/tasks${q({ cursor, limit: 100 })}`),
  addTask: (id: number, title: string, description: string) =>
    call<Task>("POST", `/api/v1/projects/${id}/tasks`, { title, description }),
  task: (id: number, act: "claim" | "unclaim" | "done") =>
    call<Task>("POST", `/api/v1/tasks/${id}/${act}`, {}),

  jobs: (project?: number, cursor?: string) =>
    call<Listing<Job>>("GET", `/api/v1/jobs${q({ project, cursor, limit: 30 })}`),
  // One piece of a job's output from a byte offset (stdout, or stderr).
  logs: (id: number, offset: number, stream: "stdout" | "stderr" = "stdout") =>
    call<LogChunk>("GET", `/api/v1/jobs/${id}/logs${q({ offset, stream })}`),
  job: (id: number) => call<JobDetail>("GET", `/api/v1/jobs/${id}`),
  submit: (j: JobSubmission) =>
    call<Job>("POST", "/api/v1/jobs", j),
  cancel: (id: number) => call<Job>("POST", `/api/v1/jobs/${id}/cancel`, {}),
  note: (id: number, outcome: Outcome, text: string) =>
    call<unknown>("POST", `/api/v1/jobs/${id}/notes`, { outcome, text }),
  // The line, oldest first, 100 a page; "Load more" follows next_cursor.
  queue: (cursor?: string) => call<Listing<QueueEntry>>("GET", `/api/v1/queue${q({ cursor, limit: 100 })}`),
  cluster: () => call<Cluster>("GET", "/api/v1/cluster"),
  utilization: (hours: number, buckets: number) =>
    call<Utilization>("GET", `/api/v1/cluster/utilization${q({ hours, buckets })}`),
  boosts: () => call<Listing<Boost>>("GET", "/api/v1/boosts"),
  // Stewards only, and in the open: every boost shows its reason and who granted it.
  boost: (project: number, factor: number, expiresAt: number, reason: string) =>
    call<Boost>("POST", `/api/v1/projects/${project}/boosts`, { factor, expires_at: expiresAt, reason }),
  openRound: (r: NewRound) => call<RewardRound>("POST", "/api/v1/rewards/rounds", r),
  closeRound: (id: number) => call<RewardRound>("POST", `/api/v1/rewards/rounds/${id}/close`),
  events: (job?: number) => new EventSource(`/api/v1/events${q({ job })}`),

  ledgerKey: () => call<LedgerKey>("GET", "/api/v1/ledger/key"),
  checkpoint: () => call<Checkpoint>("GET", "/api/v1/ledger/checkpoint"),
  entries: (after: number, limit: number, contributor?: string) =>
    call<LedgerEntryList>(
      "GET",
      `/api/v1/ledger/entries${q({ after, limit, contributor })}`,
    ),
  // Vouches for another member's entry; the confirmation is itself an entry.
  confirmEntry: (seq: number, note?: string) =>
    call<LedgerEntry>("POST", `/api/v1/ledger/entries/${seq}/confirm`, note ? { note } : {}),
  exportLine: (seq: number) =>
    call<string>("GET", `/api/v1/ledger/export${q({ after: seq - 1, upto: seq, limit: 1 })}`),
  inclusion: (seq: number, size: number) =>
    call<InclusionProof>("GET", `/api/v1/ledger/proof/inclusion${q({ seq, tree_size: size })}`),
  record: (handle: string) => call<MemberRecord>("GET", `/api/v1/members/${enc(handle)}/record`),
  authors: (id: number) => call<AuthorList>("GET", `/api/v1/projects/${id}/authors`),
  authorsAs: (id: number, format: "cff" | "bibtex") =>
    call<string>("GET", `/api/v1/projects/${id}/authors${q({ format })}`),
  rounds: () => call<Listing<RewardRound>>("GET", "/api/v1/rewards/rounds"),
  round: (id: number) => call<RewardRound>("GET", `/api/v1/rewards/rounds/${id}`),
  givePoints: (id: number, points: PointsGiven) =>
    call<RewardRound>("PUT", `/api/v1/rewards/rounds/${id}/points`, { points }),

  // Passwords and sessions.
  changePassword: (current_password: string, new_password: string) =>
    call<{ ended_sessions: number }>("POST", "/api/v1/me/password", { current_password, new_password }),
  requestReset: (handle: string) => call<unknown>("POST", "/api/v1/password-resets", { handle }),
  useReset: (handle: string, code: string, new_password: string) =>
    call<Member>("POST", "/api/v1/password-resets/use", { handle, code, new_password }),
  issueReset: (handle: string) => call<IssuedReset>("POST", `/api/v1/members/${enc(handle)}/password-reset`, {}),
  sessions: (handle: string) => call<Listing<Session>>("GET", `/api/v1/members/${enc(handle)}/sessions`),
  endSessions: (handle: string) => call<{ ended: number }>("DELETE", `/api/v1/members/${enc(handle)}/sessions`),
};
