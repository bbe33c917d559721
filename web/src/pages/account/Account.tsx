// Passwords and sessions: changing one's password, seeing and ending sessions (one's
// own, or a member's as a steward), and a steward's one-time reset code for a member
// the lab cannot mail. Shown on a member's page.
import { useState } from "react";
import { api, type IssuedReset, type Member } from "../../api";
import { useT } from "../../i18n";
import { ErrorLine, useAction, useLoad, when } from "../../util";

function ChangePassword() {
  const { t } = useT();
  const [current, setCurrent] = useState("");
  const [fresh, setFresh] = useState("");
  const [ended, setEnded] = useState<number | null>(null);
  const action = useAction();
  return (
    <details className="card">
      <summary>{t("account.password")}</summary>
      <form
        aria-label={t("account.password")}
        onSubmit={(e) => {
          e.preventDefault();
          setEnded(null);
          void action.run(async () => {
            const r = await api.changePassword(current, fresh);
            setCurrent("");
            setFresh("");
            setEnded(r.ended_sessions);
          });
        }}
      >
        <label>
          {t("account.current")}
          <input
            name="current-password"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
        <label>
          {t("account.new")}
          <input
            name="new-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            title={t("auth.password.hint")}
            value={fresh}
            onChange={(e) => setFresh(e.target.value)}
          />
        </label>
        <ErrorLine error={action.error} />
        <button type="submit" disabled={action.busy}>
          {t("account.change")}
        </button>
        {ended !== null && <span role="status">{t("account.changed", { n: ended })}</span>}
      </form>
    </details>
  );
}

function Sessions({ handle, own }: { handle: string; own: boolean }) {
  const { t, lang } = useT();
  const sessions = useLoad(() => api.sessions(handle), [handle]);
  const [ended, setEnded] = useState<number | null>(null);
  const action = useAction();
  const items = sessions.data?.items ?? [];
  return (
    <section aria-labelledby="sessions-title" className="card">
      <h2 id="sessions-title">{t("sessions.title")}</h2>
      <ErrorLine error={sessions.error} />
      {sessions.data && items.length === 0 && <p>{t("sessions.none")}</p>}
      {items.length > 0 && (
        <ul data-testid="sessions">
          {items.map((s) => (
            <li key={s.id}>
              {s.session ? t("sessions.kind.session") : t("sessions.kind.token", { name: s.name })}
              <span className="meta">
                {" "}
                · {t("sessions.created", { when: when(s.created_at, lang) })} ·{" "}
                {t("sessions.used", { when: when(s.last_used_at, lang) })} ·{" "}
                {s.expires_at ? t("sessions.expires", { when: when(s.expires_at, lang) }) : t("sessions.never")}
                {s.current && <> · {t("sessions.current")}</>}
              </span>
            </li>
          ))}
        </ul>
      )}
      <ErrorLine error={action.error} />
      <button
        type="button"
        disabled={action.busy || items.every((s) => s.current)}
        onClick={() => {
          setEnded(null);
          void action.run(async () => {
            setEnded((await api.endSessions(handle)).ended);
            sessions.reload();
          });
        }}
      >
        {own ? t("sessions.endOthers") : t("sessions.endAll", { who: handle })}
      </button>
      {ended !== null && <span role="status">{t("sessions.ended", { n: ended })}</span>}
    </section>
  );
}

function IssueReset({ handle }: { handle: string }) {
  const { t, lang } = useT();
  const [issued, setIssued] = useState<IssuedReset | null>(null);
  const action = useAction();
  return (
    <section aria-labelledby="reset-title" className="card">
      <h2 id="reset-title">{t("reset.issue.title")}</h2>
      <p>{t("reset.issue.why", { who: handle })}</p>
      <ErrorLine error={action.error} />
      <button type="button" disabled={action.busy} onClick={() => void action.run(async () => setIssued(await api.issueReset(handle)))}>
        {t("reset.issue", { who: handle })}
      </button>
      {issued && (
        <p role="status">
          {t("reset.issued", { who: issued.handle, when: when(issued.expires_at, lang) })}{" "}
          <code data-testid="reset-code">{issued.code}</code>
        </p>
      )}
    </section>
  );
}

// The account part of @handle's page: for its owner, their password and sessions;
// for a steward, the member's sessions and a reset code; for anyone else, nothing.
export function AccountPanel({ handle, me }: { handle: string; me: Member }) {
  if (handle === me.handle) {
    return (
      <>
        <ChangePassword />
        <Sessions handle={handle} own />
      </>
    );
  }
  if (!me.steward) return null;
  return (
    <>
      <Sessions handle={handle} own={false} />
      <IssueReset handle={handle} />
    </>
  );
}
