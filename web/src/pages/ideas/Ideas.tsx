import { useRef, useState, type FormEvent } from "react";
import { api, type Member } from "../../api";
import { useT } from "../../i18n";
import { MarkdownField } from "../../MarkdownField";
import { ErrorLine, Loading, MoreButton, useAction, usePaged } from "../../util";
import { IdeaCard } from "./IdeaCard";

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
