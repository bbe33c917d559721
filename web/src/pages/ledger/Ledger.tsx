import { useState } from "react";
import { api, type Member } from "../../api";
import { kindName, useT } from "../../i18n";
import { noteText } from "../../reasons";
import { Link } from "../../router";
import { entryBytes, leafHash, verifyCheckpoint, verifyInclusion } from "../../merkle";
import { ErrorLine, Loading, useLoad, when } from "../../util";
import { ConfirmButton } from "./ConfirmButton";

type Outcome = { kind: "idle" } | { kind: "running"; done: number; total: number } | { kind: "ok"; n: number } | { kind: "bad"; seq: number; why: string };

export function LedgerPage({ me }: { me: Member }) {
  const { t, lang } = useT();
  const state = useLoad(async () => {
    const [cp, key] = await Promise.all([api.checkpoint(), api.ledgerKey()]);
    const signed = await verifyCheckpoint(key.public_key, cp.tree_size, cp.root, cp.at, cp.signature);
    const after = Math.max(0, cp.tree_size - 20);
    const latest = await api.entries(after, 20);
    return { cp, key, signed, latest: latest.items };
  }, []);
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  const [error, setError] = useState<unknown>(null);

  // Every entry up to the checkpoint: its bytes hash to its leaf, and its inclusion
  // proof leads to the signed root.
  const verify = async () => {
    if (!state.data) return;
    const { cp } = state.data;
    setError(null);
    try {
      for (let seq = 1; seq <= cp.tree_size; seq++) {
        setOutcome({ kind: "running", done: seq - 1, total: cp.tree_size });
        const [line, proof] = await Promise.all([api.exportLine(seq), api.inclusion(seq, cp.tree_size)]);
        const leaf = await leafHash(entryBytes(line.trim()));
        if (leaf !== proof.leaf_hash) {
          setOutcome({ kind: "bad", seq, why: `hash ${leaf.slice(0, 12)}… ≠ ${proof.leaf_hash.slice(0, 12)}…` });
          return;
        }
        if (!(await verifyInclusion(seq - 1, cp.tree_size, leaf, proof.audit_path, cp.root))) {
          setOutcome({ kind: "bad", seq, why: "inclusion proof" });
          return;
        }
      }
      setOutcome({ kind: "ok", n: cp.tree_size });
    } catch (e) {
      setError(e);
      setOutcome({ kind: "idle" });
    }
  };

  if (!state.data) return <Loading error={state.error} />;
  const { cp, signed, latest, key } = state.data;
  // Entries I vouched for already, among those shown: no second Confirm for them.
  const confirmedByMe = new Set(
    latest.filter((e) => e.kind === "confirmation" && e.actor === me.handle && e.evidence.startsWith("entry:")).map((e) => Number(e.evidence.slice(6))),
  );
  return (
    <section aria-labelledby="ledger-title">
      <h1 id="ledger-title">{t("ledger.title")}</h1>
      <p>{t("ledger.explain")}</p>
      <p>
        <code className="wrap">{t("ledger.checkpoint", { n: cp.tree_size, root: cp.root })}</code>
      </p>
      <p className="meta">
        Ed25519 {key.public_key.slice(0, 16)}… · {when(new Date(cp.at * 1000).toISOString(), lang)}
      </p>
      <p className={signed ? "ok" : "error"} role="status" data-testid="signature">
        {signed ? t("ledger.signature.ok") : t("ledger.signature.bad")}
      </p>
      <button type="button" onClick={() => void verify()} disabled={outcome.kind === "running"}>
        {t("ledger.verify")}
      </button>
      <p role="status" data-testid="verify-result" className={outcome.kind === "bad" ? "error" : outcome.kind === "ok" ? "ok" : ""}>
        {outcome.kind === "running" && t("ledger.verifying", { done: outcome.done, total: outcome.total })}
        {outcome.kind === "ok" && t("ledger.verified", { n: outcome.n })}
        {outcome.kind === "bad" && t("ledger.failed", { seq: outcome.seq, why: outcome.why })}
      </p>
      {outcome.kind === "running" && <progress max={outcome.total} value={outcome.done} />}
      <ErrorLine error={error} />
      <h2>{t("ledger.entries")}</h2>
      <table className="stack">
        <tbody>
          {[...latest].reverse().map((e) => (
            <tr key={e.seq}>
              <td>#{e.seq}</td>
              <td>{when(e.at, lang)}</td>
              <td>{e.contributor.startsWith("@") ? <Link to={`/members/${e.contributor.slice(1)}`}>{e.contributor}</Link> : e.contributor}</td>
              <td>
                <span className="chip">{kindName(lang, e.kind)}</span>
              </td>
              <td className="wrap">{noteText(lang, e.note)}</td>
              <td>
                {e.self && <span className="meta">{t("ledger.self")} </span>}
                {!confirmedByMe.has(e.seq) && <ConfirmButton entry={e} me={me} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
