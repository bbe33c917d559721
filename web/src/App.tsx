import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { api, onSessionEnded, type Member } from "./api";
import { ErrorBoundary, NotFound } from "./errors";
import { setLang, useT, type Key } from "./i18n";
import { forgetInbox, refreshInbox, useInbox } from "./inbox";
import { Link, match, navigate, usePath } from "./router";
import { focusHeading } from "./util";
import { SignIn } from "./pages/signin";
import { Ideas } from "./pages/ideas";
import { IdeaPage } from "./pages/ideas";
import { Projects, ProjectPage } from "./pages/projects";
import { ClusterPage } from "./pages/cluster";
import { JobPage } from "./pages/job";
import { Profile, HallOfFame } from "./pages/record";
import { LedgerPage } from "./pages/ledger";
import { Rewards, RoundPage } from "./pages/rewards";
import { InboxPage } from "./pages/inbox";

// A positive whole number from a path segment, or null ("/jobs/abc" is not found).
function id(s: string | undefined): number | null {
  return s && /^[1-9]\d{0,15}$/.test(s) ? Number(s) : null;
}

// The page at `path`, and the nav title of its area (the page may set a better one).
function route(path: string, me: Member): { page: ReactNode; title: Key | null } {
  let m: Record<string, string> | null;
  const idPage = (n: number | null, page: (n: number) => ReactNode) => (n === null ? <NotFound /> : page(n));
  if (path === "/" || path === "/ideas") return { page: <Ideas me={me} />, title: "nav.ideas" };
  if ((m = match("/ideas/:id", path))) return { page: idPage(id(m.id), (n) => <IdeaPage id={n} me={me} />), title: "nav.ideas" };
  if (path === "/projects") return { page: <Projects me={me} />, title: "nav.projects" };
  if ((m = match("/projects/:id", path)))
    return { page: idPage(id(m.id), (n) => <ProjectPage id={n} me={me} />), title: "nav.projects" };
  if ((m = match("/jobs/:id", path))) return { page: idPage(id(m.id), (n) => <JobPage id={n} me={me} />), title: "nav.cluster" };
  if ((m = match("/members/:handle", path))) return { page: <Profile handle={m.handle ?? ""} me={me} />, title: "nav.record" };
  if (path === "/cluster") return { page: <ClusterPage me={me} />, title: "nav.cluster" };
  if (path === "/record") return { page: <HallOfFame />, title: "record.hall" };
  if (path === "/ledger") return { page: <LedgerPage me={me} />, title: "nav.ledger" };
  if (path === "/rewards") return { page: <Rewards me={me} />, title: "nav.rewards" };
  if ((m = match("/rewards/:id", path)))
    return { page: idPage(id(m.id), (n) => <RoundPage id={n} me={me} />), title: "nav.rewards" };
  if (path === "/inbox") return { page: <InboxPage me={me} />, title: "inbox.title" };
  return { page: <NotFound />, title: null };
}

// Sets the tab's title to the page's area before the page itself names it better
// (layout effects run before the pages' effects).
function Page({ title, children }: { title: Key | null; children: ReactNode }) {
  const { t } = useT();
  const text = title ? `${t(title)} · ${t("app.name")}` : t("app.name");
  useLayoutEffect(() => {
    document.title = text;
  }, [text]);
  return <>{children}</>;
}

export function App() {
  const { t, lang } = useT();
  const path = usePath().replace(/\/+$/, "") || "/";
  const [me, setMe] = useState<Member | null | undefined>(undefined);
  const inbox = useInbox();
  const first = useRef(true);

  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);
  useEffect(() => {
    onSessionEnded(() => setMe(null));
    api.me().then(setMe, () => setMe(null));
  }, []);
  // The inbox's count follows every page change.
  const handle = me?.handle;
  useEffect(() => {
    if (handle) void refreshInbox();
  }, [handle, path]);
  // ...and, while the tab is in view, what arrives in the meantime.
  useEffect(() => {
    if (!handle) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void refreshInbox();
    }, 60_000);
    return () => clearInterval(timer);
  }, [handle]);
  // A new page: focus its heading, as a screen reader expects (not on first load).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(focusHeading, 50);
    return () => clearTimeout(timer);
  }, [path]);

  if (me === undefined) return <p aria-busy="true">{t("common.loading")}</p>;
  if (me === null) return <SignIn onSignedIn={(m) => setMe(m)} />;

  const nav: [string, Key][] = [
    ["/ideas", "nav.ideas"],
    ["/projects", "nav.projects"],
    ["/cluster", "nav.cluster"],
    ["/record", "nav.record"],
    ["/ledger", "nav.ledger"],
    ["/rewards", "nav.rewards"],
  ];
  const { page, title } = route(path, me);
  const waiting = inbox?.mineTotal ?? 0;

  return (
    <>
      <a className="skip" href="#main">
        {t("nav.skip")}
      </a>
      <header className="top">
        <Link to="/ideas" className="brand">
          {t("app.name")}
        </Link>
        <nav aria-label="main">
          {nav.map(([to, key]) => (
            <Link key={to} to={to} aria-current={path.startsWith(to) ? "page" : undefined}>
              {t(key)}
            </Link>
          ))}
        </nav>
        <div className="who">
          <Link
            to="/inbox"
            aria-current={path === "/inbox" ? "page" : undefined}
            aria-label={waiting ? `${t("inbox.nav")}: ${t("inbox.count", { n: waiting })}` : t("inbox.nav")}
            data-testid="inbox-link"
          >
            {t("inbox.nav")}
            {waiting > 0 && (
              <span className="badge" data-testid="inbox-count">
                {waiting}
              </span>
            )}
          </Link>
          <Link to={`/members/${me.handle}`}>@{me.handle}</Link>
          <button
            type="button"
            className="link"
            aria-label={t("nav.language.label")}
            onClick={() => setLang(lang === "en" ? "zh" : "en")}
          >
            {t("nav.language")}
          </button>
          <button
            type="button"
            className="link"
            onClick={() =>
              api.signOut().finally(() => {
                forgetInbox();
                setMe(null);
                navigate("/");
              })
            }
          >
            {t("nav.signout")}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBoundary key={path}>
          <Page title={title}>{page}</Page>
        </ErrorBoundary>
      </main>
    </>
  );
}
