import { useState, type FormEvent } from "react";
import { api, type Idea } from "../../api";
import { useT } from "../../i18n";
import { MarkdownField } from "../../MarkdownField";
import { ErrorLine, useAction } from "../../util";

// The author's edit of an idea: its title and its pitch, with the post form's preview.
// Shown to the author only; the server refuses anyone else's edit.
export function EditIdea({ idea, onSaved }: { idea: Idea; onSaved: (i: Idea) => void }) {
  const { t } = useT();
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState(idea.title);
  const [pitch, setPitch] = useState(idea.pitch);
  const action = useAction();

  if (!open) {
    return (
      <button
        type="button"
        className="secondary"
        data-testid="idea-edit"
        onClick={() => {
          setTitle(idea.title);
          setPitch(idea.pitch);
          action.setError(null);
          setOpen(true);
        }}
      >
        {t("ideas.edit")}
      </button>
    );
  }
  const save = (e: FormEvent) => {
    e.preventDefault();
    void action.run(
      async () => onSaved(await api.editIdea(idea.id, { title, pitch })),
      () => setOpen(false),
    );
  };
  return (
    <form className="card" onSubmit={save} aria-label={t("ideas.edit.title")} data-testid="idea-edit-form">
      <h2>{t("ideas.edit.title")}</h2>
      <label>
        {t("ideas.form.title")}
        <input name="title" required value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <MarkdownField name="pitch" label={t("ideas.form.pitch")} value={pitch} onChange={setPitch} />
      <p className="meta">{t("ideas.edit.note")}</p>
      <ErrorLine error={action.error} />
      <button type="submit" disabled={action.busy}>
        {t("common.save")}
      </button>{" "}
      <button type="button" className="secondary" onClick={() => setOpen(false)}>
        {t("common.cancel")}
      </button>
    </form>
  );
}
