import { useState } from "react";
import { api, type LedgerEntry, type Member } from "../api";
import { kindName, useT } from "../i18n";
import { noteText } from "../reasons";
import { Link } from "../router";
import { ErrorLine, isNotFound, Loading, useAction, useLoad, useTitle, when } from "../util";

// Contributions per day over the last 53 weeks, a column per week.
export function HeatMap({ entries, today }: { entries: LedgerEntry[]; today: Date }) {
  const { t } = useT();
  const day = 86_400_000;
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const start = end - (52 * 7 + new Date(end).getUTCDay()) * day;
  const counts = new Map<number, number>();
  for (const e of entries) {
    const d = Date.parse(e.at);
    const key = d - (d % day);
    if (key >= start) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const max = Math.max(1, ...counts.values());
  const cells = [];
  for (let at = start, i = 0; at <= end; at += day, i++) {
    const n = counts.get(at) ?? 0;
    const level = n === 0 ? 0 : Math.ceil((n / max) * 4);
    const label = t("record.heatmap.cell", { date: new Date(at).toISOString().slice(0, 10), n });
    cells.push(
      <rect key={at} x={Math.floor(i / 7) * 12} y={(i % 7) * 12} width="10" height="10" rx="2" className={`heat l${level}`}>
        <title>{label}</title>
      </rect>,
    );
  }
  return (
    <figure>
      <svg role="img" aria-label={t("record.heatmap")} viewBox={`0 0 ${53 * 12} ${7 * 12}`} className="heatmap">
        {cells}
      </svg>
      <figcaption>{t("record.heatmap")}</figcaption>
    </figure>
  );
}

function EditProfile({ me, onSaved }: { me: Member; onSaved: (m: Member) => void }) {
  const { t } = useT();
  const [form, setForm] = useState({ name: me.name, skills: me.skills.join(", "), interests: me.interests.join(", ") });
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);
  return (
    <details className="card">
      <summary>{t("profile.edit")}</summary>
      <form
        aria-label={t("profile.edit")}
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          void action.run(
            () => api.editMe({ name: form.name, skills: list(form.skills), interests: list(form.interests) }).then(onSaved),
            () => setSaved(true),
          );
        }}
      >
        <label>
          {t("profile.name")}
          <input name="profile-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          {t("profile.skills")}
          <input name="profile-skills" value={form.skills} onChange={(e) => setForm({ ...form, skills: e.target.value })} />
        </label>
        <label>
          {t("profile.interests")}
          <input name="profile-interests" value={form.interests} onChange={(e) => setForm({ ...form, interests: e.target.value })} />
        </label>
        <ErrorLine error={action.error} />
        <button type="submit" disabled={action.busy}>
          {t("common.save")}
        </button>
        {saved && <span role="status">{t("profile.saved")}</span>}
      </form>
    </details>
  );
}

export function Profile({ handle, me }: { handle: string; me: Member }) {
  const { t, lang } = useT();
  const member = useLoad(() => api.member(handle), [handle]);
  const record = useLoad(() => api.record(handle), [handle]);
  useTitle(t("record.title", { who: handle }));
  const r = record.data;
  const m = member.data;
  if (isNotFound(member.error)) return <Loading error={member.error} />;
  if (!r) return <Loading error={record.error} />;
  return (
    <section aria-labelledby="record-title">
      <h1 id="record-title">{t("record.title", { who: handle })}</h1>
      {m && (
        <p className="meta wrap">
          {m.name}
          {m.skills.length > 0 && <> · {t("profile.skills.show", { list: m.skills.join(", ") })}</>}
          {m.interests.length > 0 && <> · {t("profile.interests.show", { list: m.interests.join(", ") })}</>}
        </p>
      )}
      {handle === me.handle && m && <EditProfile me={m} onSaved={member.setData} />}
      <HeatMap entries={r.timeline} today={new Date()} />
      {r.timeline.length === 0 && <p>{t("record.empty")}</p>}
      <div className="columns">
        <div>
          <h2>{t("record.totals.kind")}</h2>
          <table>
            <tbody>
              {r.by_kind.map((k) => (
                <tr key={k.key}>
                  <th scope="row">{kindName(lang, k.key)}</th>
                  <td>{k.entries}</td>
                  <td>{k.quantity ? `${k.quantity} ${k.unit}` : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h2>{t("record.totals.project")}</h2>
          <table>
            <tbody>
              {r.by_project.map((k) => (
                <tr key={k.key}>
                  <th scope="row">
                    <Link to={`/projects/${k.key}`}>#{k.key}</Link>
                  </th>
                  <td>{k.entries}</td>
                  <td>{k.quantity ? `${k.quantity.toFixed(2)} ${k.unit}` : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <h2>{t("record.timeline")}</h2>
      <ol className="timeline" reversed>
        {[...r.timeline].reverse().map((e) => (
          <li key={e.seq} data-kind={e.kind}>
            <span className="chip">{kindName(lang, e.kind)}</span> <span className="wrap">{noteText(lang, e.note)}</span>
            {e.project_id !== null && (
              <>
                {" "}
                · <Link to={`/projects/${e.project_id}`}>#{e.project_id}</Link>
              </>
            )}
            <span className="meta">
              {" "}
              · {when(e.at, lang)} · <Link to={`/ledger?seq=${e.seq}`}>#{e.seq}</Link>
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

// Entries per contributor since `since` (ms), of `kind` ("" for all), most first,
// counted as profiles count them: an email proven by a member (an identity-merge
// entry) counts as that member, and an entry a later one corrects does not count.
export function rank(entries: LedgerEntry[], since: number, kind: string): [string, number][] {
  const merges = new Map<string, string>();
  const corrected = new Set<number>();
  for (const e of entries) {
    if (e.kind === "identity-merge" && e.evidence.startsWith("email:")) merges.set(e.evidence, e.contributor);
    if (e.corrects !== null) corrected.add(e.corrects);
  }
  const counts = new Map<string, number>();
  for (const e of entries) {
    if (corrected.has(e.seq) || Date.parse(e.at) < since || (kind && e.kind !== kind)) continue;
    const who = merges.get(e.contributor) ?? e.contributor;
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

// Who contributed most, by period and kind, counted from the ledger itself.
export function HallOfFame() {
  const { t, lang } = useT();
  const [period, setPeriod] = useState<"all" | "month" | "year">("month");
  const [kind, setKind] = useState("");
  const entries = useLoad(async () => {
    const all: LedgerEntry[] = [];
    let after = 0;
    for (;;) {
      const page = await api.entries(after, 5000);
      all.push(...page.items);
      if (!page.next_after || page.items.length === 0) break;
      after = page.next_after;
    }
    return all;
  }, []);
  if (!entries.data) return <Loading error={entries.error} />;
  const since = period === "all" ? 0 : Date.now() - (period === "month" ? 30 : 365) * 86_400_000;
  const kinds = [...new Set(entries.data.map((e) => e.kind))].sort();
  const ranked = rank(entries.data, since, kind).slice(0, 25);
  const top = ranked[0]?.[1] ?? 1;
  return (
    <section aria-labelledby="hall-title">
      <h1 id="hall-title">{t("record.hall")}</h1>
      <div className="toolbar">
        <label>
          {t("record.hall.period")}
          <select value={period} onChange={(e) => setPeriod(e.target.value as typeof period)}>
            <option value="month">{t("record.hall.month")}</option>
            <option value="year">{t("record.hall.year")}</option>
            <option value="all">{t("record.hall.all")}</option>
          </select>
        </label>
        <label>
          {t("record.hall.kind")}
          <select value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">{t("record.hall.anykind")}</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {kindName(lang, k)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ol className="hall">
        {ranked.map(([who, n]) => (
          <li key={who}>
            {who.startsWith("@") ? <Link to={`/members/${who.slice(1)}`}>{who}</Link> : who}
            <span className="bar" style={{ width: `${(n / top) * 100}%` }} aria-hidden="true" />
            <span className="meta">{t("record.hall.entries", { n })}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
