import { useEffect, useState } from "react";
import { api, onSessionEnded, type Member } from "./api";
import { setLang, useT } from "./i18n";
import { Link, match, navigate, usePath } from "./router";
import { SignIn } from "./pages/SignIn";
import { Ideas } from "./pages/Ideas";
import { Projects, ProjectPage } from "./pages/Projects";
import { ClusterPage } from "./pages/Cluster";
import { JobPage } from "./pages/Job";
import { Profile, HallOfFame } from "./pages/Record";
import { LedgerPage } from "./pages/Ledger";
import { Rewards } from "./pages/Rewards";

export function App() {
  const { t, lang } = useT();
  const path = usePath();
  const [me, setMe] = useState<Member | null | undefined>(undefined);

  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);
  useEffect(() => {
    onSessionEnded(() => setMe(null));
    api.me().then(setMe, () => setMe(null));
  }, []);

  if (me === undefined) return <p aria-busy="true">{t("common.loading")}</p>;
  if (me === null) return <SignIn onSignedIn={(m) => setMe(m)} />;

  const nav: [string, Parameters<typeof t>[0]][] = [
    ["/ideas", "nav.ideas"],
    ["/projects", "nav.projects"],
    ["/cluster", "nav.cluster"],
    ["/record", "nav.record"],
    ["/ledger", "nav.ledger"],
    ["/rewards", "nav.rewards"],
  ];
  let page;
  let m: Record<string, string> | null;
  if ((m = match("/projects/:id", path))) page = <ProjectPage id={Number(m.id)} me={me} />;
  else if ((m = match("/jobs/:id", path))) page = <JobPage id={Number(m.id)} me={me} />;
  else if ((m = match("/members/:handle", path))) page = <Profile handle={m.handle ?? ""} />;
  else if (path.startsWith("/projects")) page = <Projects me={me} />;
  else if (path.startsWith("/cluster")) page = <ClusterPage me={me} />;
  else if (path.startsWith("/record")) page = <HallOfFame />;
  else if (path.startsWith("/ledger")) page = <LedgerPage />;
  else if (path.startsWith("/rewards")) page = <Rewards me={me} />;
  else page = <Ideas me={me} />;

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
        {page}
      </main>
    </>
  );
}
