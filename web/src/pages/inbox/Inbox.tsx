import { useEffect } from "react";
import { api, type Member } from "../../api";
import { useT } from "../../i18n";
import { refreshInbox, useInbox, type InboxItem } from "../../inbox";
import { Link } from "../../router";
import { ErrorLine, Loading, useAction, when } from "../../util";

function Item({ item, me, answer }: { item: InboxItem; me: Member; answer: boolean }) {
  const { t, lang } = useT();
  const action = useAction();
  const m = item;
  const self = m.handle === me.handle;
  const projectLink = <Link to={`/projects/${m.project_id}`}>{m.project_title}</Link>;
  // The sentence, with the project's name as a link where {project} stands.
  const key =
    m.state === "invited" ? (self ? "inbox.invitedme" : "inbox.invited") : self ? "inbox.appliedme" : "inbox.applied";
  const [before, after] = t(key, { who: m.handle, project: "\u0000" }).split("\u0000");
  const acts: ("accept" | "decline" | "withdraw")[] = answer ? ["accept", "decline"] : ["withdraw"];
  return (
    <li className="inbox-item">
      <span className="wrap">
        {before}
        {projectLink}
        {after}
      </span>
      {m.message && <q className="wrap">{m.message}</q>}
      <span className="meta"> · {when(m.updated_at, lang)}</span>{" "}
      {acts.map((a) => (
        <button
          key={a}
          type="button"
          className={a === "accept" ? "" : "secondary"}
          disabled={action.busy}
          onClick={() => action.run(() => api.membership(m.project_id, m.handle, a), () => void refreshInbox())}
        >
          {t(`projects.${a}`)}
        </button>
      ))}
      <ErrorLine error={action.error} />
    </li>
  );
}

// Past the server's bound, the list says how many it leaves out.
function More({ shown, total }: { shown: number; total: number }) {
  const { t } = useT();
  if (total <= shown) return null;
  return <p className="meta">{t("inbox.more", { shown, n: total })}</p>;
}

// What waits for my answer, and what I asked that waits for others.
export function InboxPage({ me }: { me: Member }) {
  const { t } = useT();
  const inbox = useInbox();
  useEffect(() => {
    void refreshInbox();
  }, [me.handle]);
  if (!inbox) return <Loading error={null} />;
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">{t("inbox.title")}</h1>
      <ErrorLine error={inbox.error} />
      <h2>{t("inbox.mine")}</h2>
      {inbox.mine.length === 0 ? (
        <p>{t("inbox.empty")}</p>
      ) : (
        <ul data-testid="inbox-mine">
          {inbox.mine.map((i) => (
            <Item key={`${i.project_id}/${i.handle}`} item={i} me={me} answer />
          ))}
        </ul>
      )}
      <More shown={inbox.mine.length} total={inbox.mineTotal} />
      <h2>{t("inbox.asked")}</h2>
      {inbox.asked.length === 0 ? (
        <p>{t("inbox.empty")}</p>
      ) : (
        <ul data-testid="inbox-asked">
          {inbox.asked.map((i) => (
            <Item key={`${i.project_id}/${i.handle}`} item={i} me={me} answer={false} />
          ))}
        </ul>
      )}
      <More shown={inbox.asked.length} total={inbox.askedTotal} />
    </section>
  );
}
