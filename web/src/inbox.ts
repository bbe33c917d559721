// What waits for my answer (invitations to me; applications to projects I am a
// member of) and what I asked (my applications; invitations my projects sent),
// from GET /api/v1/projects, whose projects carry their memberships. The server
// has no per-member listing, so this pages through the projects, up to a bound.
import { useSyncExternalStore } from "react";
import { api, type Membership, type Project } from "./api";

export interface InboxItem {
  project: Pick<Project, "id" | "title">;
  membership: Membership;
}
export interface Inbox {
  mine: InboxItem[]; // waiting for my answer
  asked: InboxItem[]; // waiting for others
  partial: boolean; // more projects than were looked through
  looked: number;
  error?: unknown; // the last refresh failed (what is shown may be older)
}

export const PAGE = 200;
export const MAX_PAGES = 5;

export function sortInbox(projects: Project[], me: string): Omit<Inbox, "partial" | "looked"> {
  const mine: InboxItem[] = [];
  const asked: InboxItem[] = [];
  for (const p of projects) {
    const project = { id: p.id, title: p.title };
    const member = p.members.includes(me);
    for (const m of p.memberships) {
      const self = m.handle === me;
      if (m.state === "invited" && self) mine.push({ project, membership: m });
      else if (m.state === "applied" && member && !self) mine.push({ project, membership: m });
      else if (m.state === "applied" && self) asked.push({ project, membership: m });
      else if (m.state === "invited" && member && !self) asked.push({ project, membership: m });
    }
  }
  const newest = (a: InboxItem, b: InboxItem) => b.membership.updated_at.localeCompare(a.membership.updated_at);
  return { mine: mine.sort(newest), asked: asked.sort(newest) };
}

export async function loadInbox(me: string): Promise<Inbox> {
  const projects: Project[] = [];
  let cursor: string | undefined;
  let partial = false;
  for (let page = 0; ; page++) {
    if (page === MAX_PAGES) {
      partial = true;
      break;
    }
    const got = await api.projects(cursor, PAGE);
    projects.push(...got.items);
    if (!got.next_cursor) break;
    cursor = got.next_cursor;
  }
  return { ...sortInbox(projects, me), partial, looked: projects.length };
}

// The inbox as last loaded, shared by the top bar and the inbox page.
let current: Inbox | null = null;
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();

export function refreshInbox(me: string): Promise<void> {
  loading ??= loadInbox(me)
    .then(
      (inbox) => {
        current = inbox;
      },
      (error: unknown) => {
        current = { ...(current ?? { mine: [], asked: [], partial: false, looked: 0 }), error };
      },
    )
    .finally(() => {
      loading = null;
      listeners.forEach((l) => l());
    });
  return loading;
}

export function useInbox(): Inbox | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}

export function forgetInbox(): void {
  current = null;
  listeners.forEach((l) => l());
}
