import { useEffect, useRef, useState } from "react";
import { api, type Job, type Member } from "../api";
import { useT } from "../i18n";
import { Link } from "../router";
import { ErrorLine, Loading, useAction, when } from "../util";

// Status, placement, restarts and output of one job, live from GET /api/v1/events?job=ID.
export function JobPage({ id, me }: { id: number; me: Member }) {
  const { t, lang } = useT();
  const [job, setJob] = useState<Job | null>(null);
  const [log, setLog] = useState("");
  const [error, setError] = useState("");
  const [outcome, setOutcome] = useState("success");
  const [text, setText] = useState("");
  const action = useAction();
  const logRef = useRef<HTMLPreElement>(null);

  useEffect(() => {
    setLog("");
    const source = api.events(id);
    source.addEventListener("job", (e) => setJob(JSON.parse((e as MessageEvent<string>).data) as Job));
    source.addEventListener("log", (e) => {
      const chunk = (JSON.parse((e as MessageEvent<string>).data) as { text: string }).text;
      setLog((l) => l + chunk);
    });
    source.addEventListener("end", () => source.close());
    api.job(id).then(setJob, (e: Error) => setError(e.message));
    return () => source.close();
  }, [id]);
  useEffect(() => {
    logRef.current?.scrollTo(0, logRef.current.scrollHeight);
  }, [log]);

  if (!job) return <Loading error={error} />;
  const active = job.state === "pending" || job.state === "running" || job.state === "preempted";
  return (
    <section aria-labelledby="job-title">
      <h1 id="job-title">{t("job.title", { id: job.id, name: job.name })}</h1>
      <dl className="facts">
        <dt>{t("job.state")}</dt>
        <dd>
          <span className={`state state-${job.state}`} data-testid="job-state">
            {t(`job.state.${job.state}`)}
          </span>{" "}
          {job.reason}
        </dd>
        <dt>{t("job.project")}</dt>
        <dd>
          <Link to={`/projects/${job.project_id}`}>#{job.project_id}</Link>
        </dd>
        <dt>{t("job.owner")}</dt>
        <dd>@{job.owner}</dd>
        <dt>{t("job.placement")}</dt>
        <dd>{job.gpu_ids.length ? job.gpu_ids.join(", ") : `– (${job.gpus})`}</dd>
        <dt>{t("job.restarts")}</dt>
        <dd>{job.restarts}</dd>
        <dt>{t("job.exit")}</dt>
        <dd>{job.exit_code ?? "–"}</dd>
        <dt>{t("job.gpuh")}</dt>
        <dd>{job.gpu_hours_used.toFixed(3)}</dd>
        <dt>{t("job.times")}</dt>
        <dd>
          {when(job.submitted_at, lang)} → {when(job.started_at, lang)} → {when(job.finished_at, lang)}
        </dd>
      </dl>
      <code className="argv">{job.argv.join(" ")}</code>
      {active && (job.owner === me.handle || me.steward) && (
        <button type="button" className="danger" disabled={action.busy} onClick={() => action.run(() => api.cancel(id))}>
          {t("job.cancel")}
        </button>
      )}
      <h2>{t("job.log")}</h2>
      <pre className="log" ref={logRef} tabIndex={0} aria-live="polite" data-testid="job-log">
        {log || t("job.log.empty")}
      </pre>
      <h2>{t("job.notes")}</h2>
      <ul>
        {(job.notes ?? []).map((n, i) => (
          <li key={i}>
            <strong>{n.outcome}</strong> (@{n.author}, {when(n.created_at, lang)}): {n.text}
          </li>
        ))}
      </ul>
      {!active && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(() => api.note(id, outcome, text), () => {
              setText("");
              api.job(id).then(setJob, () => undefined);
            });
          }}
        >
          <h3>{t("job.note")}</h3>
          <label>
            {t("job.note.outcome")}
            <select value={outcome} onChange={(e) => setOutcome(e.target.value)}>
              <option value="success">{t("job.note.success")}</option>
              <option value="failure">{t("job.note.failure")}</option>
              <option value="negative">{t("job.note.negative")}</option>
            </select>
          </label>
          <label>
            {t("job.note.text")}
            <textarea rows={3} required value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <button type="submit" disabled={action.busy}>
            {t("common.save")}
          </button>
        </form>
      )}
      <ErrorLine message={action.error} />
    </section>
  );
}
