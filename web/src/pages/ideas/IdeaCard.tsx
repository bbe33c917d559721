import { useState } from "react";
import { api, type Idea, type Member } from "../../api";
import { useT } from "../../i18n";
import { Markdown } from "../../markdown";
import { Link, navigate } from "../../router";
import { ErrorLine, useAction, when } from "../../util";

// A pitch longer than a card shows folded, with a button to unfold it.
export function Pitch({ text }: { text: string }) {
  const { t } = useT();
  const long = text.length > 600 || text.split("\n").length > 12;
  const [open, setOpen] = useState(false);
  return (
    <>
      <div className={long && !open ? "pitch folded" : "pitch"}>
        <Markdown text={text} />
      </div>
      {long && !open && (
        <button type="button" className="link" onClick={() => setOpen(true)}>
          {t("ideas.more")}
        </button>
      )}
    </>
  );
}

export function IdeaCard({ idea, me, onChange, full = false }: { idea: Idea; me: Member; onChange: (i: Idea) => void; full?: boolean }) {
  const { t, lang } = useT();
  const action = useAction();
  const backed = idea.backers.includes(me.handle);
  const Heading = full ? "h1" : "h3";
  return (
    <article className="card idea" aria-labelledby={`idea-${idea.id}`}>
      <Heading id={`idea-${idea.id}`}>{full ? idea.title : <Link to={`/ideas/${idea.id}`}>{idea.title}</Link>}</Heading>
      <p className="meta">
        <Link to={`/members/${idea.author}`}>@{idea.author}</Link> · {when(idea.created_at, lang)}
      </p>
      {full ? <Markdown text={idea.pitch} /> : <Pitch text={idea.pitch} />}
      <p className="meta">
        {idea.backers.length ? t("common.backers", { list: idea.backers.map((b) => "@" + b).join(", ") }) : t("common.nobackers")}
      </p>
      <div className="actions">
        {idea.author !== me.handle && (
          <button type="button" disabled={action.busy} onClick={() => action.run(() => api.backIdea(idea.id, !backed).then(onChange))}>
            {backed ? t("common.unback") : t("common.back")}
          </button>
        )}
        <button type="button" className="secondary" onClick={() => navigate(`/projects?idea=${idea.id}`)}>
          {t("ideas.start")}
        </button>
      </div>
      <ErrorLine error={action.error} />
    </article>
  );
}
