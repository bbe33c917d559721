import { useState, type FormEvent } from "react";
import { api, type Member } from "../../api";
import { useT } from "../../i18n";
import { MarkdownField } from "../../MarkdownField";
import { Link, navigate } from "../../router";
import { ErrorLine, Loading, MoreButton, useAction, useLoad, usePaged } from "../../util";

export function Projects({ me }: { me: Member }) {
  const { t } = useT();
  const ideaId = Number(new URLSearchParams(location.search).get("idea") ?? 0) || undefined;
  const projects = usePaged((cursor) => api.projects(cursor), []);
  const idea = useLoad(() => (ideaId ? api.idea(ideaId) : Promise.resolve(null)), [ideaId]);
  const fromIdea = idea.data ?? undefined;
  const [title, setTitle] = useState("");
  const [pitch, setPitch] = useState("");
  const [roles, setRoles] = useState("");
  const action = useAction();

  const start = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const p = await api.startProject({
        title: title || fromIdea?.title || "",
        pitch: pitch || fromIdea?.pitch || "",
        idea_id: ideaId,
        looking_for: roles.split(",").map((r) => r.trim()).filter(Boolean),
      });
      navigate(`/projects/${p.id}`);
    });
  };

  return (
    <section aria-labelledby="projects-title">
      <h1 id="projects-title">{t("projects.title")}</h1>
      <form className="card" onSubmit={start} aria-label={t("projects.start")}>
        <h2>{t("projects.start")}</h2>
        <label>
          {t("projects.form.title")}
          <input name="title" placeholder={fromIdea?.title} value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <MarkdownField name="pitch" label={t("projects.form.pitch")} value={pitch || fromIdea?.pitch || ""} onChange={setPitch} />
        <label>
          {t("projects.form.roles")}
          <input name="roles" value={roles} onChange={(e) => setRoles(e.target.value)} />
        </label>
        <ErrorLine error={action.error} />
        <button type="submit" disabled={action.busy}>
          {t("projects.start")}
        </button>
      </form>
      {!projects.items ? (
        <Loading error={projects.error} />
      ) : projects.items.length === 0 ? (
        <p>{t("projects.none")}</p>
      ) : (
        <div className="grid">
          {projects.items.map((p) => (
            <article key={p.id} className="card">
              <h3>
                <Link to={`/projects/${p.id}`}>{p.title}</Link>
              </h3>
              <p className="meta">{t("projects.initiator", { who: p.initiator })}</p>
              <p>
                {t("projects.members")}: {p.members.map((m) => "@" + m).join(", ")}
                {p.members.includes(me.handle) ? " ✓" : ""}
              </p>
              {p.looking_for.length > 0 && (
                <p>
                  {t("projects.lookingfor")}:{" "}
                  {p.looking_for.map((r) => (
                    <span key={r} className="chip">
                      {r}
                    </span>
                  ))}
                </p>
              )}
              <p className="meta">{p.backers.length ? t("common.backers", { list: p.backers.map((b) => "@" + b).join(", ") }) : t("common.nobackers")}</p>
            </article>
          ))}
        </div>
      )}
      <MoreButton paged={projects} />
    </section>
  );
}
