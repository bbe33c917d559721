import { useRef, useState, type FormEvent } from "react";
import { api, type Idea, type Member } from "../api";
import { useT } from "../i18n";
import { Markdown } from "../markdown";
import { Link, navigate } from "../router";
import { ErrorLine, Loading, MoreButton, useAction, usePaged, when } from "../util";

// A Markdown editor with a preview tab.
export function MarkdownField(props: { label: string; value: string; onChange: (v: string) => void; name: string }) {
  const { t } = useT();
  const [preview, setPreview] = useState(false);
  return (
    <div className="md-field">
      <div className="tabs" role="tablist" aria-label={`${t("common.write")} / ${t("common.preview")}`}>
        <button type="button" role="tab" aria-selected={!preview} onClick={() => setPreview(false)}>
          {t("common.write")}
        </button>
        <button type="button" role="tab" aria-selected={preview} onClick={() => setPreview(true)}>
          {t("common.preview")}
        </button>
      </div>
      {preview ? (
        <div className="preview" role="tabpanel">
          <Markdown text={props.value} />
        </div>
      ) : (
        <label>
          {props.label}
          <textarea name={props.name} rows={6} value={props.value} onChange={(e) => props.onChange(e.target.value)} />
        </label>
      )}
    </div>
  );
}

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

export function Ideas({ me }: { me: Member }) {
  const { t } = useT();
  const [search, setSearch] = useState("");
  const [filter, setFilter] = useState<"all" | "mine" | "backed">("all");
  const ideas = usePaged((cursor) => api.ideas(search, cursor), [search]);
  const [title, setTitle] = useState("");
  const [pitch, setPitch] = useState("");
  const action = useAction();
  const titleRef = useRef<HTMLInputElement>(null);

  const post = (e: FormEvent) => {
    e.preventDefault();
    void action.run(
      () => api.postIdea(title, pitch),
      () => {
        setTitle("");
        setPitch("");
        ideas.reload();
        // Ready for the next one.
        titleRef.current?.focus();
      },
    );
  };
  const shown = (ideas.items ?? []).filter(
    (i) => filter === "all" || (filter === "mine" ? i.author === me.handle : i.backers.includes(me.handle)),
  );

  return (
    <section aria-labelledby="ideas-title">
      <h1 id="ideas-title">{t("ideas.title")}</h1>
      <form className="card" onSubmit={post} aria-label={t("ideas.post")}>
        <h2>{t("ideas.post")}</h2>
        <label>
          {t("ideas.form.title")}
          <input ref={titleRef} name="title" required value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <MarkdownField name="pitch" label={t("ideas.form.pitch")} value={pitch} onChange={setPitch} />
        <ErrorLine error={action.error} />
        <button type="submit" disabled={action.busy}>
          {t("ideas.post")}
        </button>
      </form>
      <div className="toolbar">
        <label>
          {t("ideas.search")}
          <input type="search" name="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <div role="radiogroup" aria-label="filter" className="segmented">
          {(["all", "mine", "backed"] as const).map((f) => (
            <button key={f} type="button" role="radio" aria-checked={filter === f} onClick={() => setFilter(f)}>
              {t(`ideas.filter.${f}`)}
            </button>
          ))}
        </div>
      </div>
      {!ideas.items ? (
        <Loading error={ideas.error} />
      ) : shown.length === 0 && !ideas.hasMore ? (
        <p>{t("ideas.empty")}</p>
      ) : (
        <div className="grid">
          {shown.map((i) => (
            <IdeaCard key={i.id} idea={i} me={me} onChange={ideas.replace} />
          ))}
        </div>
      )}
      <MoreButton paged={ideas} />
    </section>
  );
}
