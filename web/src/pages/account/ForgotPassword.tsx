// A forgotten password, from the sign-in page: ask for a mailed code, or use one a
// steward handed over, to choose a new password; then sign in with it.
import { useState, type FormEvent } from "react";
import { api, ApiError, type Member } from "../../api";
import { useT } from "../../i18n";
import { ErrorLine, useAction, useTitle } from "../../util";

export function ForgotPassword({ onSignedIn, onBack }: { onSignedIn: (m: Member) => void; onBack: () => void }) {
  const { t } = useT();
  const [handle, setHandle] = useState("");
  const [code, setCode] = useState("");
  const [fresh, setFresh] = useState("");
  const [requested, setRequested] = useState(false);
  const [noMail, setNoMail] = useState(false);
  const ask = useAction();
  const use = useAction();
  useTitle(t("reset.title"));

  const request = () => {
    setRequested(false);
    setNoMail(false);
    void ask.run(async () => {
      try {
        await api.requestReset(handle);
        setRequested(true);
      } catch (e) {
        if (e instanceof ApiError && e.code === "failed_precondition") setNoMail(true);
        else throw e;
      }
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void use.run(async () => {
      await api.useReset(handle, code.trim(), fresh);
      const session = await api.signIn(handle, fresh);
      onSignedIn(session.member);
    });
  };

  return (
    <form onSubmit={submit} aria-label={t("reset.title")}>
      <h2>{t("reset.title")}</h2>
      <label>
        {t("auth.handle")}
        <input
          name="handle"
          autoComplete="username"
          required
          pattern="[a-z0-9\-]{2,32}"
          title={t("auth.handle.hint")}
          value={handle}
          onChange={(e) => setHandle(e.target.value.trim().toLowerCase())}
        />
      </label>
      <button type="button" disabled={ask.busy || handle === ""} onClick={request}>
        {t("reset.request")}
      </button>
      <ErrorLine error={ask.error} />
      {requested && <p role="status">{t("reset.requested", { who: handle })}</p>}
      {noMail && <p role="status">{t("reset.nomail")}</p>}
      <label>
        {t("reset.code")}
        <input name="code" required autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />
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
      <ErrorLine error={use.error} />
      <button type="submit" disabled={use.busy}>
        {t("reset.use")}
      </button>
      <button type="button" className="link" onClick={onBack}>
        {t("auth.have")}
      </button>
    </form>
  );
}
