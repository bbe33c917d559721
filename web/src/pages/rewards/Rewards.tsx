import { useState } from "react";
import { api, type Member, type RewardRound } from "../../api";
import { useT } from "../../i18n";
import { Link } from "../../router";
import { ErrorLine, Loading, useAction, useLoad, useTitle, when } from "../../util";

type Row = { to: string; points: number; note: string };

function Allocation({ round, me, onSaved }: { round: RewardRound; me: Member; onSaved: (r: RewardRound) => void }) {
  const { t } = useT();
  const given = round.points.filter((p) => p.from === me.handle).map((p) => ({ to: p.to, points: p.points, note: p.note }));
  const [rows, setRows] = useState<Row[]>(given.length ? given : [{ to: "", points: 0, note: "" }]);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const used = rows.reduce((n, r) => n + (Number.isFinite(r.points) ? r.points : 0), 0);
  const self = rows.some((r) => r.to.replace(/^@/, "") === me.handle);
  const set = (i: number, row: Partial<Row>) => setRows(rows.map((r, j) => (i === j ? { ...r, ...row } : r)));
  return (
    <form
      className="card"
      aria-label={t("rewards.give")}
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        void action.run(
          () => api.givePoints(round.id, rows.filter((r) => r.to && r.points > 0).map((r) => ({ ...r, to: r.to.replace(/^@/, "") }))).then(onSaved),
          () => setSaved(true),
        );
      }}
    >
      <h3>{t("rewards.give")}</h3>
      <p className="meta">{t("rewards.give.hint")}</p>
      {rows.map((r, i) => (
        <fieldset key={i} className="row">
          <label>
            {t("rewards.to")}
            <input value={r.to} onChange={(e) => set(i, { to: e.target.value.trim() })} />
          </label>
          <label>
            {t("rewards.points")}
            <input type="number" min={0} max={100} value={r.points} onChange={(e) => set(i, { points: Number(e.target.value) })} />
          </label>
          <label>
            {t("rewards.note")}
            <input value={r.note} onChange={(e) => set(i, { note: e.target.value })} />
          </label>
        </fieldset>
      ))}
      <p role="status" className={used > 100 || self ? "error" : ""}>
        {used > 100 ? t("rewards.over") : self ? t("rewards.self") : t("rewards.left", { n: 100 - used })}
      </p>
      <button type="button" className="secondary" onClick={() => setRows([...rows, { to: "", points: 0, note: "" }])}>
        {t("rewards.add")}
      </button>
      <button type="submit" disabled={action.busy || used > 100 || self}>
        {t("common.save")}
      </button>
      {saved && <span role="status"> {t("rewards.saved")}</span>}
      <ErrorLine error={action.error} />
    </form>
  );
}

function Result({ round }: { round: RewardRound }) {
  const { t } = useT();
  return (
    <table>
      <caption>{t("rewards.result")}</caption>
      <thead>
        <tr>
          <th scope="col">@</th>
          <th scope="col">{t("rewards.amount")}</th>
          <th scope="col">{t("rewards.recordweight")}</th>
          <th scope="col">{t("rewards.received")}</th>
        </tr>
      </thead>
      <tbody>
        {round.payout.map((p) => (
          <tr key={p.handle}>
            <th scope="row">@{p.handle}</th>
            <td>
              {p.amount} {round.currency}
            </td>
            <td>{p.record_weight.toFixed(2)}</td>
            <td>{p.points_received}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CloseRound({ id, onClosed }: { id: number; onClosed: (r: RewardRound) => void }) {
  const { t } = useT();
  const action = useAction();
  return (
    <>
      <button type="button" className="danger" disabled={action.busy} onClick={() => action.run(() => api.closeRound(id).then(onClosed))}>
        {t("rewards.close")}
      </button>
      <ErrorLine error={action.error} />
    </>
  );
}

// Stewards open rounds: a pool to share over a period, by the record and peers' points.
function OpenRound({ onOpened }: { onOpened: () => void }) {
  const { t } = useT();
  const today = new Date().toISOString().slice(0, 10);
  const [form, setForm] = useState({ title: "", pool: "", currency: "EUR", from: today, to: today });
  const action = useAction();
  const seconds = (day: string, end: boolean) => Math.floor(Date.parse(`${day}T${end ? "23:59:59" : "00:00:00"}Z`) / 1000);
  return (
    <form
      className="card"
      aria-label={t("rewards.openround")}
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(
          () =>
            api.openRound({
              title: form.title,
              pool_minor: Math.round(Number(form.pool) * 100),
              currency: form.currency,
              period_from: seconds(form.from, false),
              period_to: seconds(form.to, true),
            }),
          onOpened,
        );
      }}
    >
      <h2>{t("rewards.openround")}</h2>
      <fieldset className="row">
        <label>
          {t("rewards.form.title")}
          <input required value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
        </label>
        <label>
          {t("rewards.form.pool")}
          <input type="number" min={0.01} step={0.01} required value={form.pool} onChange={(e) => setForm({ ...form, pool: e.target.value })} />
        </label>
        <label>
          {t("rewards.form.currency")}
          <input required maxLength={8} value={form.currency} onChange={(e) => setForm({ ...form, currency: e.target.value.toUpperCase() })} />
        </label>
        <label>
          {t("rewards.form.from")}
          <input type="date" required value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label>
          {t("rewards.form.to")}
          <input type="date" required value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
      </fieldset>
      <ErrorLine error={action.error} />
      <button type="submit" disabled={action.busy}>
        {t("rewards.openround")}
      </button>
    </form>
  );
}

// A round as it stands: the payout if it closed now (or as paid), and the points given.
function RoundCard({ id, me }: { id: number; me: Member }) {
  const { t, lang } = useT();
  const round = useLoad(() => api.round(id), [id]);
  const r = round.data;
  if (!r) return <Loading error={round.error} />;
  return (
    <article className="card">
      <h2>
        <Link to={`/rewards/${r.id}`}>{t("rewards.round", { id: r.id, title: r.title })}</Link>
      </h2>
      <p className="meta">
        {t("rewards.pool", { pool: r.pool, currency: r.currency })} · {when(r.period_from, lang)} – {when(r.period_to, lang)} ·{" "}
        {r.state === "open" ? t("rewards.open") : t("rewards.closed")}
      </p>
      {r.rules !== undefined && r.rules >= 2 && <p className="meta">{t("rewards.rules", { cap: r.cap_per_kind ?? 0 })}</p>}
      {r.state === "open" && <Allocation round={r} me={me} onSaved={(next) => round.setData(next)} />}
      <Result round={r} />
      {r.state === "open" && me.steward && <CloseRound id={r.id} onClosed={(next) => round.setData(next)} />}
    </article>
  );
}

export function Rewards({ me }: { me: Member }) {
  const { t } = useT();
  const rounds = useLoad(() => api.rounds(), []);
  if (!rounds.data) return <Loading error={rounds.error} />;
  return (
    <section aria-labelledby="rewards-title">
      <h1 id="rewards-title">{t("rewards.title")}</h1>
      {me.steward && <OpenRound onOpened={rounds.reload} />}
      {rounds.data.items.length === 0 && <p>{t("rewards.none")}</p>}
      {rounds.data.items.map((r) => (
        <RoundCard key={r.id} id={r.id} me={me} />
      ))}
    </section>
  );
}

// One round on its own page (/rewards/ID).
export function RoundPage({ id, me }: { id: number; me: Member }) {
  const { t } = useT();
  const round = useLoad(() => api.round(id), [id]);
  useTitle(round.data ? t("rewards.round", { id: round.data.id, title: round.data.title }) : null);
  if (!round.data) return <Loading error={round.error} />;
  return (
    <section aria-labelledby="round-title">
      <h1 id="round-title">{t("rewards.title")}</h1>
      <RoundCard id={id} me={me} />
    </section>
  );
}
