import { useState } from "react";
import { useT } from "./i18n";
import { Markdown } from "./markdown";

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
