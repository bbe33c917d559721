import type { LedgerEntry } from "../../api";
import { useT } from "../../i18n";

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
