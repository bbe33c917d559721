import { useState } from "react";
import { api, type LedgerEntry, type Member } from "../../api";
import { useT } from "../../i18n";
import { ErrorLine, useAction } from "../../util";

// The lab's own kinds: written by the act they record, never confirmed by a member.
const labKinds = new Set(["backing", "joined", "task-claimed", "boost", "reward-round", "peer-points", "reward", "identity-merge", "confirmation"]);

// Whether `me` may vouch for entry `e`: another member's work, not recorded by `me`.
export function mayConfirm(e: LedgerEntry, me: Member): boolean {
  return !labKinds.has(e.kind) && e.contributor !== `@${me.handle}` && e.actor !== me.handle;
}

// Vouches for another member's entry: a self-recorded entry counts in reward rounds
// once another member confirms it. The confirmation is itself a ledger entry.
export function ConfirmButton({ entry, me }: { entry: LedgerEntry; me: Member }) {
  const { t } = useT();
  const action = useAction();
  const [done, setDone] = useState<number | null>(null);
  if (!mayConfirm(entry, me)) return null;
  if (done !== null)
    return (
      <span className="ok" role="status">
        {t("ledger.confirmed", { seq: done })}
      </span>
    );
  return (
    <>
      <button
        type="button"
        className="secondary"
        data-testid={`confirm-${entry.seq}`}
        disabled={action.busy}
        title={t("ledger.confirm.why")}
        onClick={() => void action.run(async () => setDone((await api.confirmEntry(entry.seq)).seq))}
      >
        {t("ledger.confirm")}
      </button>
      <ErrorLine error={action.error} />
    </>
  );
}
