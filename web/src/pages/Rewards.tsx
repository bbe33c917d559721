import { useState } from "react";
import { api, type Member, type RewardRound } from "../api";
import { useT } from "../i18n";
import { ErrorLine, Loading, useAction, useLoad, when } from "../util";

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
      <ErrorLine message={action.error} />
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

// A round as it stands: the payout if it closed now (or as paid), and the points given.
function RoundCard({ id, me }: { id: number; me: Member }) {
  const { t, lang } = useT();
  const round = useLoad(() => api.round(id), [id]);
  const r = round.data;
  if (!r) return <Loading error={round.error} />;
  return (
    <article className="card">
      <h2>{t("rewards.round", { id: r.id, title: r.title })}</h2>
      <p className="meta">
        {t("rewards.pool", { pool: r.pool, currency: r.currency })} · {when(r.period_from, lang)} – {when(r.period_to, lang)} ·{" "}
        {r.state === "open" ? t("rewards.open") : t("rewards.closed")}
      </p>
      {r.state === "open" && <Allocation round={r} me={me} onSaved={(next) => round.setData(next)} />}
      <Result round={r} />
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
      {rounds.data.items.length === 0 && <p>{t("rewards.none")}</p>}
      {rounds.data.items.map((r) => (
        <RoundCard key={r.id} id={r.id} me={me} />
      ))}
    </section>
  );
}
