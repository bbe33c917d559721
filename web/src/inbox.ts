// What waits for my answer (invitations to me; applications to projects I am a
// member of) and what I asked (my applications; invitations I sent), from
// GET /api/v1/me/inbox: each list newest first, bounded by the server, with its total.
import { useSyncExternalStore } from "react";
import { api, type InboxItem, type InboxLists } from "./api";

export type { InboxItem };
export interface Inbox {
  mine: InboxItem[]; // waiting for my answer
  mineTotal: number; // past the bound too
  asked: InboxItem[]; // waiting for others
  askedTotal: number;
  error?: unknown; // the last refresh failed (what is shown may be older)
}

export function toInbox(lists: InboxLists): Inbox {
  return {
    mine: lists.awaiting.items,
    mineTotal: lists.awaiting.total,
    asked: lists.asked.items,
    askedTotal: lists.asked.total,
  };
}

export async function loadInbox(): Promise<Inbox> {
  return toInbox(await api.inbox());
}

// The inbox as last loaded, shared by the top bar and the inbox page.
let current: Inbox | null = null;
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();

export function refreshInbox(): Promise<void> {
  loading ??= loadInbox()
    .then(
      (inbox) => {
        current = inbox;
      },
      (error: unknown) => {
        current = { ...(current ?? { mine: [], mineTotal: 0, asked: [], askedTotal: 0 }), error };
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
