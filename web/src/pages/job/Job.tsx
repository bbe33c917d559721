import { useEffect, useRef, useState } from "react";
import { api, ApiError, type Member, type Outcome } from "../../api";
import { NotFound } from "../../errors";
import { useT } from "../../i18n";
import { reasonText } from "../../reasons";
import { Link, navigate } from "../../router";
import { ErrorLine, Loading, useAction, useTitle, when } from "../../util";
import { download } from "./download";
import { useJobStream } from "./stream";

export function JobPage({ id, me }: { id: number; me: Member }) {
  const { t, lang } = useT();
  const { job, setJob, error, log, link } = useJobStream(id);
  const [outcome, setOutcome] = useState<Outcome>("success");
  const [text, setText] = useState("");
  const action = useAction();
  const logRef = useRef<HTMLPreElement>(null);
  useTitle(job ? t("job.title", { id: job.id, name: job.name }) : null);

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [log]);

  if (error instanceof ApiError && error.status === 404) return <NotFound />;
  if (!job) return <Loading error={error} />;
  const active = job.state === "pending" || job.state === "running" || job.state === "preempted";
  const mine = job.owner === me.handle;
  return (
    <section aria-labelledby="job-title">
      <h1 id="job-title">
        {t("job.title", { id: job.id, name: job.name })}{" "}
        <span className={link === "live" ? "live on" : "live"} role="status" data-testid="job-link">
          {link === "live" ? t("job.live") : link === "disconnected" ? t("job.disconnected") : t("job.reconnecting")}
        </span>
      </h1>
      <dl className="facts">
        <dt>{t("job.state")}</dt>
        <dd>
          <span className={`state state-${job.state}`} data-testid="job-state">
            {t(`job.state.${job.state}`)}
          </span>{" "}
          {reasonText(lang, job.reason)}
        </dd>
        <dt>{t("job.project")}</dt>
        <dd>
          <Link to={`/projects/${job.project_id}`}>#{job.project_id}</Link>
        </dd>
        <dt>{t("job.owner")}</dt>
        <dd>
          <Link to={`/members/${job.owner}`}>@{job.owner}</Link>
        </dd>
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
        <dt>{t("job.workdir")}</dt>
        <dd>
          <code className="wrap">{job.workdir}</code>
        </dd>
      </dl>
      <code className="argv">{job.argv.join(" ")}</code>
      <div className="actions">
        {active && (mine || me.steward) && (
          <button type="button" className="danger" disabled={action.busy} onClick={() => action.run(() => api.cancel(id))}>
            {t("job.cancel")}
          </button>
        )}
        {!active && mine && (
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              action.run(async () => {
                const again = await api.submit({
                  project_id: job.project_id,
                  name: job.name,
                  gpus: job.gpus,
                  argv: job.argv,
                  workdir: job.workdir,
                  ...(job.time_limit_s !== null ? { time_limit_s: job.time_limit_s } : {}),
                  ...(Object.keys(job.env).length ? { env: job.env } : {}),
                });
                navigate(`/jobs/${again.id}`);
              })
            }
          >
            {t("job.resubmit")}
          </button>
        )}
        <button type="button" className="secondary" disabled={action.busy} onClick={() => action.run(() => download(id, "stdout"))}>
          {t("job.download")}
        </button>
        <button type="button" className="secondary" disabled={action.busy} onClick={() => action.run(() => download(id, "stderr"))}>
          {t("job.download.stderr")}
        </button>
      </div>
      <ErrorLine error={action.error} />
      <h2>{t("job.log")}</h2>
      <pre className="log" ref={logRef} tabIndex={0} aria-live="polite" data-testid="job-log">
        {log || t("job.log.empty")}
      </pre>
      <h2>{t("job.notes")}</h2>
      <ul>
        {job.notes.map((n, i) => (
          <li key={i}>
            <strong>{t(`job.note.${n.outcome}`)}</strong> (<Link to={`/members/${n.author}`}>@{n.author}</Link>,{" "}
            {when(n.created_at, lang)}): <span className="wrap">{n.text}</span>
          </li>
        ))}
      </ul>
      {!active && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(
              () => api.note(id, outcome, text),
              () => {
                setText("");
                api.job(id).then(setJob, () => undefined);
              },
            );
          }}
        >
          <h3>{t("job.note")}</h3>
          <label>
            {t("job.note.outcome")}
            <select value={outcome} onChange={(e) => setOutcome(e.target.value as Outcome)}>
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
    </section>
  );
}
