import { useEffect, useState } from "react";
import { api, type Cluster, type Member } from "../../api";
import { nodeStateName, useT } from "../../i18n";
import { reasonText } from "../../reasons";
import { Link } from "../../router";
import { ErrorLine, Loading, MoreButton, projectColor, useAction, useLoad, usePaged, when } from "../../util";

// The cluster as the server streams it (GET /api/v1/events), refreshed on change.
export function useClusterStream(): { cluster: Cluster | null; live: boolean } {
  const [cluster, setCluster] = useState<Cluster | null>(null);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const source = api.events();
    source.addEventListener("cluster", (e) => {
      setCluster(JSON.parse((e as MessageEvent<string>).data) as Cluster);
      setLive(true);
    });
    source.onerror = () => setLive(false);
    return () => source.close();
  }, []);
  return { cluster, live };
}

function GpuCells({ gpus, titles }: { gpus: Cluster["gpus"]; titles: Map<number, string> }) {
  const { t } = useT();
  return (
    <ul className="gpus" aria-label={t("cluster.gpus")}>
      {gpus.map((g) => (
        <li
          key={g.index}
          className={g.job ? "gpu busy" : "gpu"}
          style={g.job ? { background: projectColor(g.job.project_id) } : undefined}
          title={g.job ? `#${g.job.project_id} ${titles.get(g.job.project_id) ?? ""}` : t("cluster.free")}
        >
          <span className="gpu-index">GPU {g.index}</span>
          {g.job ? (
            <Link to={`/jobs/${g.job.id}`}>
              #{g.job.id} {g.job.name} · @{g.job.owner}
            </Link>
          ) : (
            <span>{t("cluster.free")}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

// The GPUs machine by machine, each with its state as the cluster says it and, when it
// takes no new runs (drained, down), why.
export function GpuGrid({ cluster }: { cluster: Cluster }) {
  const { t, lang } = useT();
  const titles = new Map(cluster.projects.map((p) => [p.id, p.title]));
  const byIndex = new Map(cluster.gpus.map((g) => [g.index, g]));
  const onNodes = new Set(cluster.nodes.flatMap((n) => n.gpus));
  // A GPU no machine lists any more (its node left the partition while a job ran there).
  const elsewhere = cluster.gpus.filter((g) => !onNodes.has(g.index));
  return (
    <div className="nodes">
      {cluster.nodes.map((node) => {
        const gpus = node.gpus.flatMap((i) => byIndex.get(i) ?? []);
        const busy = gpus.filter((g) => g.job).length;
        return (
          <section key={node.name} className={node.schedulable ? "node" : "node closed"} aria-label={t("cluster.node", { name: node.name })}>
            <h3>
              {node.name} <span className="node-state">{nodeStateName(lang, node.state)}</span>{" "}
              <small>{t("cluster.node.busy", { busy, n: node.gpus.length })}</small>
            </h3>
            {!node.schedulable && (
              <p className="node-reason" role="note">
                {node.reason ? t("cluster.node.closedWhy", { reason: node.reason }) : t("cluster.node.closed")}
              </p>
            )}
            <GpuCells gpus={gpus} titles={titles} />
          </section>
        );
      })}
      {elsewhere.length > 0 && <GpuCells gpus={elsewhere} titles={titles} />}
    </div>
  );
}

// Each project's weight, entitlement, use and demand as bars; decayed usage as a number.
function ShareChart({ cluster }: { cluster: Cluster }) {
  const { t } = useT();
  const total = Math.max(1, cluster.gpus.length);
  const row = 50;
  const width = 760;
  const bar = (v: number) => Math.max(0, (v / total) * 300);
  return (
    <figure>
      <svg
        role="img"
        aria-label={t("cluster.projects")}
        viewBox={`0 0 ${width} ${Math.max(1, cluster.projects.length) * row + 20}`}
        className="chart"
      >
        {cluster.projects.map((p, i) => (
          <g key={p.id} transform={`translate(0 ${i * row + 10})`}>
            <text x="0" y="12" className="label">
              #{p.id} {p.title.slice(0, 22)}
            </text>
            <rect x="170" y="0" width={bar(p.entitlement)} height="12" className="entitled" />
            <rect x="170" y="16" width={bar(p.allocated)} height="12" fill={projectColor(p.id)} />
            <rect x="170" y="16" width={bar(p.demand)} height="12" className="demand" />
            <text x={180 + bar(Math.max(p.entitlement, p.demand, p.allocated))} y="24" className="value">
              {t("cluster.weight")} {p.weight.toFixed(2)} · {t("cluster.entitlement")} {p.entitlement} · {t("cluster.allocated")}{" "}
              {p.allocated} · {t("cluster.demand")} {p.demand} · {t("cluster.decayed")} {p.decayed_gpu_hours.toFixed(1)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>
        <span className="key entitled" /> {t("cluster.entitlement")} <span className="key used" /> {t("cluster.allocated")}{" "}
        <span className="key demand" /> {t("cluster.demand")}
      </figcaption>
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t("cluster.weight")}</th>
            <th scope="col">{t("cluster.entitlement")}</th>
            <th scope="col">{t("cluster.allocated")}</th>
            <th scope="col">{t("cluster.demand")}</th>
            <th scope="col">{t("cluster.decayed")}</th>
          </tr>
        </thead>
        <tbody>
          {cluster.projects.map((p) => (
            <tr key={p.id}>
              <td>
                <Link to={`/projects/${p.id}`}>#{p.id}</Link>
              </td>
              <td>{p.weight.toFixed(2)}</td>
              <td>{p.entitlement}</td>
              <td>{p.allocated}</td>
              <td>{p.demand}</td>
              <td>{p.decayed_gpu_hours.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

// The share of GPUs busy over the last day or week, from the scheduler's
// once-a-minute samples; gaps where the server kept none.
function Utilization({ version }: { version: unknown }) {
  const { t } = useT();
  const [hours, setHours] = useState(24);
  const buckets = hours === 24 ? 48 : 56;
  const u = useLoad(() => api.utilization(hours, buckets), [hours, version]);
  const w = 12;
  return (
    <figure>
      <div role="radiogroup" aria-label={t("cluster.utilization")} className="segmented">
        {[24, 168].map((h) => (
          <button key={h} type="button" role="radio" aria-checked={hours === h} onClick={() => setHours(h)}>
            {h === 24 ? t("cluster.day") : t("cluster.week")}
          </button>
        ))}
      </div>
      {!u.data ? (
        <Loading error={u.error} />
      ) : (
        <>
          <svg
            role="img"
            aria-label={`${t("cluster.utilization")} ${u.data.mean === null ? "–" : (u.data.mean * 100).toFixed(0) + "%"}`}
            viewBox={`0 0 ${u.data.buckets.length * w} 60`}
            className="chart spark"
          >
            {u.data.buckets.map((v, i) =>
              v === null ? (
                <rect key={i} x={i * w + 1} y={57} width={w - 2} height={1} className="gap" />
              ) : (
                <rect key={i} x={i * w + 1} y={58 - v * 56} width={w - 2} height={Math.max(1, v * 56)} className="util">
                  <title>{(v * 100).toFixed(0)}%</title>
                </rect>
              ),
            )}
          </svg>
          <figcaption data-testid="utilization">
            {t("cluster.utilization")}: {u.data.mean === null ? "–" : `${(u.data.mean * 100).toFixed(0)}%`}
          </figcaption>
        </>
      )}
    </figure>
  );
}

// Stewards grant boosts in the open: a factor, an expiry and a reason everyone sees.
function GrantBoost({ onDone }: { onDone: () => void }) {
  const { t } = useT();
  const [form, setForm] = useState({ project: "", factor: "2", days: "7", reason: "" });
  const action = useAction();
  return (
    <form
      className="card"
      aria-label={t("cluster.grant")}
      onSubmit={(e) => {
        e.preventDefault();
        const expires = Math.floor(Date.now() / 1000 + Number(form.days) * 86400);
        void action.run(() => api.boost(Number(form.project), Number(form.factor), expires, form.reason), () => {
          setForm({ ...form, reason: "" });
          onDone();
        });
      }}
    >
      <h3>{t("cluster.grant")}</h3>
      <fieldset className="row">
        <label>
          {t("cluster.grant.project")}
          <input type="number" min={1} required value={form.project} onChange={(e) => setForm({ ...form, project: e.target.value })} />
        </label>
        <label>
          {t("cluster.grant.factor")}
          <input type="number" min={0.1} max={100} step={0.1} required value={form.factor} onChange={(e) => setForm({ ...form, factor: e.target.value })} />
        </label>
        <label>
          {t("cluster.grant.days")}
          <input type="number" min={1} max={365} required value={form.days} onChange={(e) => setForm({ ...form, days: e.target.value })} />
        </label>
      </fieldset>
      <label>
        {t("cluster.grant.reason")}
        <input required value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} />
      </label>
      <ErrorLine error={action.error} />
      <button type="submit" disabled={action.busy}>
        {t("cluster.grant")}
      </button>
    </form>
  );
}

export function ClusterPage({ me }: { me: Member }) {
  const { t, lang } = useT();
  const { cluster, live } = useClusterStream();
  const queue = usePaged((cursor) => api.queue(cursor), [cluster]);
  const boosts = useLoad(() => api.boosts(), []);
  if (!cluster) return <Loading error="" />;
  const waiting = (queue.items ?? []).filter((j) => j.state !== "running");
  return (
    <section aria-labelledby="cluster-title">
      <h1 id="cluster-title">
        {t("cluster.title")}{" "}
        <span className={live ? "live on" : "live"} role="status">
          {live ? t("cluster.live") : t("cluster.offline")}
        </span>
      </h1>
      <h2>{t("cluster.gpus")}</h2>
      <GpuGrid cluster={cluster} />
      <h2>
        {t("cluster.queue")} <small>{t("cluster.pending", { n: cluster.pending })}</small>
      </h2>
      {waiting.length === 0 ? (
        <p>{t("cluster.queue.empty")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t("job.project")}</th>
              <th scope="col">{t("job.owner")}</th>
              <th scope="col">{t("projects.submit.gpus")}</th>
              <th scope="col">{t("cluster.why")}</th>
            </tr>
          </thead>
          <tbody>
            {waiting.map((j) => (
              <tr key={j.id}>
                <td>
                  <Link to={`/jobs/${j.id}`}>#{j.id}</Link> {j.name}
                </td>
                <td>
                  <Link to={`/projects/${j.project_id}`}>#{j.project_id}</Link>
                </td>
                <td>@{j.owner}</td>
                <td>{j.gpus}</td>
                <td>{reasonText(lang, j.waiting_reason || j.reason)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MoreButton paged={queue} />
      <h2>{t("cluster.projects")}</h2>
      <ShareChart cluster={cluster} />
      <h2>{t("cluster.boosts")}</h2>
      {boosts.data && boosts.data.items.length > 0 ? (
        <ul>
          {boosts.data.items.map((b, i) => (
            <li key={i}>
              {t("cluster.boost", {
                factor: b.factor,
                project: b.project_id,
                until: when(b.expires_at, lang),
                reason: b.reason,
                who: b.granted_by,
              })}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t("cluster.noboosts")}</p>
      )}
      {me.steward && <GrantBoost onDone={boosts.reload} />}
      <h2>{t("cluster.utilization")}</h2>
      <Utilization version={cluster.pending} />
    </section>
  );
}
