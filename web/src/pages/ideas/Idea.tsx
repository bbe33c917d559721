import { api, type Member } from "../../api";
import { useT } from "../../i18n";
import { Link } from "../../router";
import { Loading, useLoad, useTitle } from "../../util";
import { EditIdea } from "./EditIdea";
import { IdeaCard } from "./IdeaCard";

// One idea on its own page: the whole pitch, its backers, the projects started from
// it (from the projects the server lists first), and for its author an edit form.
export function IdeaPage({ id, me }: { id: number; me: Member }) {
  const { t } = useT();
  const idea = useLoad(() => api.idea(id), [id]);
  const projects = useLoad(() => api.projects(undefined, 200), []);
  useTitle(idea.data?.title);
  if (!idea.data) return <Loading error={idea.error} />;
  const started = (projects.data?.items ?? []).filter((p) => p.idea_id === id);
  return (
    <section>
      <IdeaCard idea={idea.data} me={me} onChange={idea.setData} full />
      {started.length > 0 && (
        <>
          <h2>{t("ideas.projects")}</h2>
          <ul>
            {started.map((p) => (
              <li key={p.id}>
                <Link to={`/projects/${p.id}`}>{p.title}</Link>
              </li>
            ))}
          </ul>
        </>
      )}
      {idea.data.author === me.handle && <EditIdea idea={idea.data} onSaved={idea.setData} />}
    </section>
  );
}
