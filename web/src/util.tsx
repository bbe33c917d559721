// Small pieces every page uses: loading data, showing errors, forms' busy state,
// the tab's title and where focus goes after an action.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { ApiError, type Listing } from "./api";
import { useT, type Key, type Lang } from "./i18n";
import { NotFound } from "./errors";

// Says when `deps` changed since the last render (compared one by one), as a number
// that effects can depend on.
function useVersion(deps: readonly unknown[]): number {
  const [seen, setSeen] = useState({ deps, version: 0 });
  const same = seen.deps.length === deps.length && seen.deps.every((d, i) => Object.is(d, deps[i]));
  if (!same) {
    // Derived state: React re-renders at once with the new version.
    setSeen({ deps, version: seen.version + 1 });
    return seen.version + 1;
  }
  return seen.version;
}

// Loads data when `deps` change (and on reload()); `error` is what the load threw.
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const latest = useRef(load);
  useLayoutEffect(() => {
    latest.current = load;
  });
  const version = useVersion(deps);
  useEffect(() => {
    let live = true;
    latest.current().then(
      (d) => {
        if (live) {
          setData(d);
          setError(null);
        }
      },
      (e: unknown) => {
        if (live) setError(e);
      },
    );
    return () => {
      live = false;
    };
  }, [version, tick]);
  return { data, error, reload, setData };
}

// After an action re-renders the page, the element that had focus may be gone (a
// button that no longer applies): focus the nearest control that is still there,
// else the page's heading, never the document's body. Checked again a little later,
// for the data the action reloads.
export function returnFocus(from: Element | null): void {
  if (!from || typeof document === "undefined") return;
  const ancestors: Element[] = [];
  for (let e = from.parentElement; e && e.tagName !== "MAIN"; e = e.parentElement) ancestors.push(e);
  const lost = () => {
    const active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  };
  const fix = () => {
    if (!lost()) return;
    if (from.isConnected && from instanceof HTMLElement && !(from as HTMLButtonElement).disabled) {
      from.focus();
      return;
    }
    const focusable = "button:not([disabled]), a[href], input:not([disabled]), select, textarea";
    for (const a of ancestors) {
      if (!a.isConnected) continue;
      const target = a.querySelector<HTMLElement>(focusable);
      if (target) {
        target.focus();
        return;
      }
    }
    focusHeading();
  };
  for (const ms of [0, 300, 1000]) setTimeout(fix, ms);
}

// Focuses the page's first heading (made focusable), or else <main>.
export function focusHeading(): void {
  const h = document.querySelector<HTMLElement>("main h1");
  if (h) {
    if (!h.hasAttribute("tabindex")) h.setAttribute("tabindex", "-1");
    h.focus();
  } else document.querySelector<HTMLElement>("main")?.focus();
}

// Runs an action, keeping its error for the form to show; `then` runs on success.
// Focus stays on something sensible when the control that started it goes away.
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (fn: () => Promise<unknown>, then?: () => void) => {
    const from = typeof document === "undefined" ? null : document.activeElement;
    setBusy(true);
    setError(null);
    try {
      await fn();
      then?.();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      returnFocus(from);
    }
  };
  return { busy, error, run, setError };
}

type T = (key: Key, vars?: Record<string, string | number>) => string;

// What went wrong, in the reader's language: the server sends a code (and the field
// at fault) that the client translates; in English its own message says more.
export function describeError(e: unknown, t: T, lang: Lang): string {
  if (e instanceof ApiError) {
    if (lang === "en" && e.message && e.code !== "error") return e.message;
    const general = t(errorKey(e.code, e.status));
    return e.field ? `${general} ${t("error.field", { field: e.field })}` : general;
  }
  if (e instanceof TypeError) return t("error.network");
  return e instanceof Error ? e.message : String(e);
}

const codes = [
  "invalid_argument",
  "malformed",
  "unauthenticated",
  "permission_denied",
  "not_found",
  "already_exists",
  "failed_precondition",
  "too_large",
  "resource_exhausted",
  "unavailable",
  "internal",
] as const;
function errorKey(code: string, status: number): Key {
  if ((codes as readonly string[]).includes(code)) return `error.${code as (typeof codes)[number]}`;
  if (status === 404) return "error.not_found";
  if (status === 401) return "error.unauthenticated";
  if (status === 403) return "error.permission_denied";
  return "error.internal";
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404;
}

export function ErrorLine({ error }: { error: unknown }) {
  const { t, lang } = useT();
  if (error === null || error === undefined || error === "") return null;
  return (
    <p className="error" role="alert">
      {t("common.error", { message: describeError(error, t, lang) })}
    </p>
  );
}

// While data loads: "Loading…", the error, or a whole "not found" page for a 404.
export function Loading({ error, children }: { error: unknown; children?: ReactNode }) {
  const { t } = useT();
  if (isNotFound(error)) return <NotFound />;
  if (error !== null && error !== undefined && error !== "") return <ErrorLine error={error} />;
  return <p aria-busy="true">{children ?? t("common.loading")}</p>;
}

// The tab's title follows the page: "<what> · Qiusuo" (until `what` is known, the
// title of the page's area stays).
export function useTitle(what: string | null | undefined): void {
  const { t } = useT();
  const app = t("app.name");
  useEffect(() => {
    if (what) document.title = `${what} · ${app}`;
  }, [what, app]);
}

export function when(iso: string | null | undefined, lang: string): string {
  if (!iso) return "–";
  return new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
  });
}

// A stable colour per project, for the GPU grid and charts.
export function projectColor(id: number): string {
  const hue = (id * 137.508) % 360;
  return `hsl(${hue.toFixed(0)} 62% 42%)`;
}

// A listing the server pages with cursors: the first page when `deps` change, then
// more() appends the next one ("Load more" past the first 30). replace() swaps in a
// newer copy of one item (by its id) wherever it is.
export function usePaged<T extends { id: number }>(load: (cursor?: string) => Promise<Listing<T>>, deps: readonly unknown[]) {
  const first = useLoad(() => load(), deps);
  const [extra, setExtra] = useState<{ items: T[]; cursor: string | null; of: Listing<T> } | null>(null);
  const [newer, setNewer] = useState<{ of: Listing<T> | null; map: Map<number, T> }>({ of: null, map: new Map() });
  const action = useAction();
  const base = first.data;
  // Pages loaded after an earlier first page no longer apply once it reloads.
  const pages = base && extra && extra.of === base ? extra : null;
  const cursor = pages ? pages.cursor : (base?.next_cursor ?? null);
  const items = base ? [...base.items, ...(pages?.items ?? [])].map((x) => (newer.of === base ? newer.map.get(x.id) : undefined) ?? x) : null;
  const more = () => {
    if (!cursor || !base) return;
    void action.run(async () => {
      const next = await load(cursor);
      setExtra({ items: [...(pages?.items ?? []), ...next.items], cursor: next.next_cursor, of: base });
    });
  };
  const replace = (next: T) =>
    setNewer((n) => ({ of: base, map: new Map(n.of === base ? n.map : []).set(next.id, next) }));
  return { items, error: first.error, reload: first.reload, more, hasMore: cursor !== null, busy: action.busy, moreError: action.error, replace };
}

// The "Load more" button under a paged list.
export function MoreButton({ paged }: { paged: { hasMore: boolean; busy: boolean; more: () => void; moreError: unknown } }) {
  const { t } = useT();
  if (!paged.hasMore) return null;
  return (
    <p>
      <button type="button" className="secondary" disabled={paged.busy} onClick={paged.more}>
        {t("common.more")}
      </button>
      <ErrorLine error={paged.moreError} />
    </p>
  );
}
