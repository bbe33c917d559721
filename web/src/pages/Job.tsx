import { useEffect, useRef, useState } from "react";
import { api, ApiError, type JobDetail, type Member } from "../api";
import { NotFound } from "../errors";
import { useT } from "../i18n";
import { LogTail } from "../logtail";
import { reasonText } from "../reasons";
import { Link, navigate } from "../router";
import { ErrorLine, Loading, useAction, useTitle, when } from "../util";

type LinkState = "connecting" | "live" | "reconnecting" | "disconnected";

// A `job` event is the job, or (for an id the caller cannot read) the API's error.
function parseJob(data: string): JobDetail | ApiError {
  const doc = JSON.parse(data) as JobDetail | { error: { code: string; message: string; field: string } };
  if ("error" in doc) {
    const status = doc.error.code === "not_found" ? 404 : doc.error.code === "permission_denied" ? 403 : 400;
    return new ApiError(status, doc.error.code, doc.error.message, doc.error.field);
  }
  return doc;
}

// A job's state and output, live from GET /api/v1/events?job=ID: the output resumes
// where it left off after a dropped connection, and the page says when it is cut off.
function useJobStream(id: number) {
  const [job, setJob] = useState<JobDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [log, setLog] = useState("");
  const [link, setLink] = useState<LinkState>("connecting");

  useEffect(() => {
    const tail = new LogTail();
    setLog("");
    setJob(null);
    setError(null);
    setLink("connecting");
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      source?.close();
      clearTimeout(retry);
    };
    const connect = () => {
      const s = api.events(id);
      source = s;
      s.onopen = () => {
        tail.opened();
        setLink("live");
      };
      s.onerror = () => {
        if (stopped) return;
        if (s.readyState === EventSource.CLOSED) {
          // The browser gave up (the server answered with an error or went away):
          // try again a little later; the tail drops what it already shows.
          setLink("disconnected");
          retry = setTimeout(connect, 3000);
        } else setLink("reconnecting");
      };
      s.addEventListener("job", (e) => {
        const got = parseJob((e as MessageEvent<string>).data);
        if (got instanceof ApiError) {
          setError(got);
          stop();
          setLink("disconnected");
        } else setJob(got);
      });
      s.addEventListener("log", (e) => {
        const event = e as MessageEvent<string>;
        const chunk = (JSON.parse(event.data) as { text: string }).text;
        if (tail.add(chunk, event.lastEventId)) setLog(tail.text);
      });
      s.addEventListener("end", () => {
        stop();
        setLink("disconnected");
      });
    };
    connect();
    // The browser knows when it lost the network: say so at once, and connect again
    // (the tail drops what it already shows) when it is back.
    const offline = () => {
      if (stopped) return;
      source?.close();
      clearTimeout(retry);
      setLink("disconnected");
    };
    const online = () => {
      if (stopped) return;
      source?.close();
      clearTimeout(retry);
      setLink("reconnecting");
      connect();
    };
    window.addEventListener("offline", offline);
    window.addEventListener("online", online);
    api.job(id).then(
      (j) => setJob((current) => current ?? j),
      (e: unknown) => {
        setError(e);
        if (e instanceof ApiError && e.status === 404) stop();
      },
    );
    return () => {
      stop();
      window.removeEventListener("offline", offline);
      window.removeEventListener("online", online);
    };
  }, [id]);

  return { job, setJob, error, log, link };
}

// The whole output of a job (one stream), fetched piece by piece from the logs
// endpoint and saved as a file.
async function download(id: number, stream: "stdout" | "stderr") {
  const parts: string[] = [];
  let offset = 0;
  for (let i = 0; i < 10_000; i++) {
    const chunk = await api.logs(id, offset, stream);
    parts.push(chunk.data);
    if (!chunk.data || chunk.next_offset === offset) break;
    offset = chunk.next_offset;
  }
  const url = URL.createObjectURL(new Blob(parts, { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `job-${id}.${stream}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function JobPage({ id, me }: { id: number; me: Member }) {
  const { t, lang } = useT();
  const { job, setJob, error, log, link } = useJobStream(id);
  const [outcome, setOutcome] = useState("success");
  const [text, setText] = useState("");
  const action = useAction();
  const logRef = useRef<HTMLPreElement>(null);
  useTitle(job ? t("job.title", { id: job.id, name: job.name }) : null);

  useEffect(() => {
    logRef.current?.scrollTo(0, logRef.current.scrollHeight);
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
    </section>
  );
}
