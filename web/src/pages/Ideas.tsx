import { useState, type FormEvent } from "react";
import { api, type Idea, type Member } from "../api";
import { useT } from "../i18n";
import { Markdown } from "../markdown";
import { Link, navigate } from "../router";
import { ErrorLine, Loading, useAction, useLoad, when } from "../util";

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

export function IdeaCard({ idea, me, onChange }: { idea: Idea; me: Member; onChange: (i: Idea) => void }) {
  const { t, lang } = useT();
  const action = useAction();
  const backed = idea.backers.includes(me.handle);
  return (
    <article className="card" aria-labelledby={`idea-${idea.id}`}>
      <h3 id={`idea-${idea.id}`}>{idea.title}</h3>
      <p className="meta">
        <Link to={`/members/${idea.author}`}>@{idea.author}</Link> · {when(idea.created_at, lang)}
      </p>
      <Markdown text={idea.pitch} />
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
      <ErrorLine message={action.error} />
    </article>
  );
}

export function Ideas({ me }: { me: Member }) {
  const { t } = useT();
  const [search, setSearch] = useState("");
  const [filter, setFilter] = useState<"all" | "mine" | "backed">("all");
  const { data, error, reload, setData } = useLoad(() => api.ideas(search), [search]);
  const [title, setTitle] = useState("");
  const [pitch, setPitch] = useState("");
  const action = useAction();

  const post = (e: FormEvent) => {
    e.preventDefault();
    void action.run(() => api.postIdea(title, pitch), () => {
      setTitle("");
      setPitch("");
      reload();
    });
  };
  const shown = (data?.items ?? []).filter(
    (i) => filter === "all" || (filter === "mine" ? i.author === me.handle : i.backers.includes(me.handle)),
  );

  return (
    <section aria-labelledby="ideas-title">
      <h1 id="ideas-title">{t("ideas.title")}</h1>
      <form className="card" onSubmit={post} aria-label={t("ideas.post")}>
        <h2>{t("ideas.post")}</h2>
        <label>
          {t("ideas.form.title")}
          <input name="title" required value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <MarkdownField name="pitch" label={t("ideas.form.pitch")} value={pitch} onChange={setPitch} />
        <ErrorLine message={action.error} />
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
      {!data ? (
        <Loading error={error} />
      ) : shown.length === 0 ? (
        <p>{t("ideas.empty")}</p>
      ) : (
        <div className="grid">
          {shown.map((i) => (
            <IdeaCard
              key={i.id}
              idea={i}
              me={me}
              onChange={(next) => setData({ ...data, items: data.items.map((x) => (x.id === next.id ? next : x)) })}
            />
          ))}
        </div>
      )}
    </section>
  );
}
