import { useState } from "react";
import { api, type LedgerEntry } from "../../api";
import { kindName, useT } from "../../i18n";
import { Link } from "../../router";
import { Loading, useLoad } from "../../util";

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
