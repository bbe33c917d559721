import { useRef, useState } from "react";
import { api, type Job, type Member, type Membership, type Project } from "../../api";
import { refreshInbox } from "../../inbox";
import { roleName, useT } from "../../i18n";
import { Markdown } from "../../markdown";
import { reasonText } from "../../reasons";
import { Link, navigate } from "../../router";
import { ErrorLine, Loading, MoreButton, useAction, useLoad, usePaged, useTitle, when } from "../../util";

function MembershipRow({ m, project, me, onDone }: { m: Membership; project: Project; me: Member; onDone: () => void }) {
  const { t } = useT();
  const action = useAction();
  const member = project.members.includes(me.handle);
  const mine = m.handle === me.handle;
  // What this person may do here: members answer applications, invitees their invitation.
  const acts: ("accept" | "decline" | "withdraw")[] = [];
  if (m.state === "applied" && member && !mine) acts.push("accept", "decline");
  if (m.state === "applied" && mine) acts.push("withdraw");
  if (m.state === "invited" && mine) acts.push("accept", "decline");
  if (m.state === "invited" && member && !mine) acts.push("withdraw");
  return (
    <li>
      <Link to={`/members/${m.handle}`}>@{m.handle}</Link> — {t(`projects.state.${m.state}`)}
      {m.message && <q>{m.message}</q>}
      {acts.map((a) => (
        <button key={a} type="button" className={a === "accept" ? "" : "secondary"} disabled={action.busy} onClick={() => action.run(() => api.membership(project.id, m.handle, a), () => {
            onDone();
            void refreshInbox();
          })}>
          {t(`projects.${a}`)}
        </button>
      ))}
      <ErrorLine error={action.error} />
    </li>
  );
}

function JobRow({ job }: { job: Job }) {
  const { t, lang } = useT();
  return (
    <tr>
      <td>
        <Link to={`/jobs/${job.id}`}>#{job.id}</Link>
      </td>
      <td>{job.name}</td>
      <td>@{job.owner}</td>
      <td>{job.gpus}</td>
      <td>
        <span className={`state state-${job.state}`}>{t(`job.state.${job.state}`)}</span>
      </td>
      <td>{job.gpu_hours_used.toFixed(2)}</td>
      <td>{job.state === "pending" ? reasonText(lang, job.reason) : ""}</td>
    </tr>
  );
}

export function ProjectPage({ id, me }: { id: number; me: Member }) {
  const { t, lang } = useT();
  const project = useLoad(() => api.project(id), [id]);
  const tasks = usePaged((cursor) => api.tasks(id, cursor), [id]);
  const jobs = usePaged((cursor) => api.jobs(id, cursor), [id]);
  const authors = useLoad(() => api.authors(id), [id]);
  const action = useAction();
  const [message, setMessage] = useState("");
  const [invitee, setInvitee] = useState("");
  const [taskTitle, setTaskTitle] = useState("");
  const [job, setJob] = useState({ name: "", gpus: 1, command: "", workdir: "/tmp" });
  const [cite, setCite] = useState("");
  const [leaving, setLeaving] = useState(false);
  const leaveRef = useRef<HTMLButtonElement>(null);
  useTitle(project.data?.title);

  const p = project.data;
  if (!p) return <Loading error={project.error} />;
  const refresh = () => {
    project.reload();
    tasks.reload();
    jobs.reload();
    authors.reload();
    void refreshInbox();
  };
  const member = p.members.includes(me.handle);
  const backed = p.backers.includes(me.handle);
  const mine = p.memberships?.find((m) => m.handle === me.handle);
  const requests = (p.memberships ?? []).filter((m) => m.state === "applied" || m.state === "invited");
  const jobList = jobs.items ?? [];
  const gpuHours = jobList.reduce((n, j) => n + j.gpu_hours_used, 0);
  const notes = jobList.filter((j) => j.state !== "pending" && j.state !== "running");
  const sole = member && p.members.length === 1;

  return (
    <section aria-labelledby="project-title">
      <h1 id="project-title">{p.title}</h1>
      <p className="meta">
        {t("projects.initiator", { who: p.initiator })} · {when(p.created_at, lang)}
      </p>
      <Markdown text={p.pitch} />
      <div className="actions">
        {!member && mine?.state !== "applied" && (
          <>
            <label>
              {t("projects.apply.message")}
              <input name="apply-message" value={message} onChange={(e) => setMessage(e.target.value)} />
            </label>
            <button type="button" disabled={action.busy} onClick={() => action.run(() => api.apply(id, message), refresh)}>
              {t("projects.apply")}
            </button>
          </>
        )}
        {member && !leaving && (
          <button ref={leaveRef} type="button" className="secondary" disabled={action.busy} onClick={() => setLeaving(true)}>
            {t("projects.leave")}
          </button>
        )}
        <button type="button" className="secondary" disabled={action.busy} onClick={() => action.run(() => api.backProject(id, !backed), refresh)}>
          {backed ? t("common.unback") : t("common.back")}
        </button>
      </div>
      {member && leaving && (
        <div className="card confirm" role="alertdialog" aria-labelledby="leave-title" aria-describedby="leave-text" data-testid="leave-confirm">
          <h2 id="leave-title">{t("leave.confirm", { project: p.title })}</h2>
          <p id="leave-text" className={sole ? "error" : undefined}>
            {sole ? t("leave.sole") : t("leave.other")}
          </p>
          <button
            type="button"
            className="danger"
            disabled={action.busy}
            onClick={() =>
              action.run(
                () => api.leave(id),
                () => {
                  setLeaving(false);
                  refresh();
                },
              )
            }
          >
            {t("leave.yes")}
          </button>
          <button
            type="button"
            className="secondary"
            autoFocus
            onClick={() => {
              setLeaving(false);
              setTimeout(() => leaveRef.current?.focus(), 0);
            }}
          >
            {t("common.cancel")}
          </button>
        </div>
      )}
      <ErrorLine error={action.error} />

      <div className="columns">
        <div>
          <h2>{t("projects.members")}</h2>
          <ul>
            {p.members.map((m) => (
              <li key={m}>
                <Link to={`/members/${m}`}>@{m}</Link>
              </li>
            ))}
          </ul>
          {p.looking_for.length > 0 && (
            <>
              <h3>{t("projects.lookingfor")}</h3>
              <p>
                {p.looking_for.map((r) => (
                  <span key={r} className="chip">
                    {r}
                  </span>
                ))}
              </p>
            </>
          )}
          <p className="meta">{p.backers.length ? t("common.backers", { list: p.backers.map((b) => "@" + b).join(", ") }) : t("common.nobackers")}</p>
          {requests.length > 0 && (
            <>
              <h3>{t("projects.requests")}</h3>
              <ul>
                {requests.map((m) => (
                  <MembershipRow key={m.handle} m={m} project={p} me={me} onDone={refresh} />
                ))}
              </ul>
            </>
          )}
          {member && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void action.run(() => api.invite(id, invitee, ""), () => {
                  setInvitee("");
                  refresh();
                });
              }}
            >
              <label>
                {t("projects.invite.handle")}
                <input name="invitee" required value={invitee} onChange={(e) => setInvitee(e.target.value.trim())} />
              </label>
              <button type="submit">{t("projects.invite")}</button>
            </form>
          )}
        </div>
        <div>
          <h2>{t("projects.tasks")}</h2>
          {tasks.items ? (
            <ul className="tasks">
              {tasks.items.map((task) => (
                <li key={task.id}>
                  <span className={`state state-${task.state}`}>
                    {task.state === "open"
                      ? t("projects.task.open")
                      : task.state === "claimed"
                        ? t("projects.task.claimed", { who: task.holder ?? "" })
                        : t("projects.task.finished", { who: task.holder ?? "" })}
                  </span>{" "}
                  {task.title}
                  {task.state === "open" && member && (
                    <button type="button" onClick={() => action.run(() => api.task(task.id, "claim"), refresh)}>
                      {t("projects.task.claim")}
                    </button>
                  )}
                  {task.state === "claimed" && task.holder === me.handle && (
                    <>
                      <button type="button" onClick={() => action.run(() => api.task(task.id, "done"), refresh)}>
                        {t("projects.task.done")}
                      </button>
                      <button type="button" className="secondary" onClick={() => action.run(() => api.task(task.id, "unclaim"), refresh)}>
                        {t("projects.task.unclaim")}
                      </button>
                    </>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <Loading error={tasks.error} />
          )}
          <MoreButton paged={tasks} />
          {member && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void action.run(() => api.addTask(id, taskTitle, ""), () => {
                  setTaskTitle("");
                  refresh();
                });
              }}
            >
              <label>
                {t("projects.task.title")}
                <input name="task-title" required value={taskTitle} onChange={(e) => setTaskTitle(e.target.value)} />
              </label>
              <button type="submit">{t("projects.task.add")}</button>
            </form>
          )}
        </div>
      </div>

      <h2>{t("projects.jobs")}</h2>
      <p>{t("projects.gpu", { hours: gpuHours.toFixed(2), n: jobList.length })}</p>
      {jobList.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t("projects.submit.name")}</th>
              <th scope="col">{t("job.owner")}</th>
              <th scope="col">{t("projects.submit.gpus")}</th>
              <th scope="col">{t("job.state")}</th>
              <th scope="col">{t("job.gpuh")}</th>
              <th scope="col">{t("cluster.why")}</th>
            </tr>
          </thead>
          <tbody>
            {jobList.map((j) => (
              <JobRow key={j.id} job={j} />
            ))}
          </tbody>
        </table>
      )}
      <MoreButton paged={jobs} />
      {member && (
        <form
          className="card"
          aria-label={t("projects.submit")}
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              const submitted = await api.submit({
                project_id: id,
                name: job.name,
                gpus: job.gpus,
                argv: ["sh", "-c", job.command],
                workdir: job.workdir,
              });
              navigate(`/jobs/${submitted.id}`);
            });
          }}
        >
          <h3>{t("projects.submit")}</h3>
          <label>
            {t("projects.submit.name")}
            <input name="job-name" required value={job.name} onChange={(e) => setJob({ ...job, name: e.target.value })} />
          </label>
          <label>
            {t("projects.submit.gpus")}
            <input name="job-gpus" type="number" min={1} required value={job.gpus} onChange={(e) => setJob({ ...job, gpus: Number(e.target.value) })} />
          </label>
          <label>
            {t("projects.submit.command")}
            <input name="job-command" required value={job.command} onChange={(e) => setJob({ ...job, command: e.target.value })} />
          </label>
          <label>
            {t("projects.submit.workdir")}
            <input name="job-workdir" required value={job.workdir} onChange={(e) => setJob({ ...job, workdir: e.target.value })} />
          </label>
          <button type="submit" disabled={action.busy}>
            {t("projects.submit")}
          </button>
        </form>
      )}

      {notes.length > 0 && (
        <>
          <h2>{t("projects.writeups")}</h2>
          <ul>
            {notes.map((j) => (
              <li key={j.id}>
                <Link to={`/jobs/${j.id}`}>
                  #{j.id} {j.name}
                </Link>{" "}
                — {t(`job.state.${j.state}`)}
              </li>
            ))}
          </ul>
        </>
      )}

      <h2>{t("projects.authors")}</h2>
      {authors.data ? (
        <ol>
          {authors.data.authors.map((a) => (
            <li key={a.contributor}>
              {a.name || a.contributor} ({a.contributor}) — {a.roles.map((r) => roleName(lang, r)).join(lang === "zh" ? "、" : ", ")}
            </li>
          ))}
        </ol>
      ) : (
        <Loading error={authors.error} />
      )}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => api.authorsAs(id, "cff").then(setCite)}>
          {t("projects.authors.cff")}
        </button>
        <button type="button" className="secondary" onClick={() => api.authorsAs(id, "bibtex").then(setCite)}>
          {t("projects.authors.bibtex")}
        </button>
      </div>
      {cite && <pre className="cite">{cite}</pre>}
    </section>
  );
}
