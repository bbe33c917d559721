import { useState, type FormEvent } from "react";
import { api, type Member } from "../../api";
import { setLang, useT } from "../../i18n";
import { ErrorLine, useAction, useTitle } from "../../util";
import { ForgotPassword } from "../account";

export function SignIn({ onSignedIn }: { onSignedIn: (m: Member) => void }) {
  const { t, lang } = useT();
  const [mode, setMode] = useState<"in" | "up" | "reset">("in");
  const [handle, setHandle] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const action = useAction();
  useTitle(mode === "in" ? t("auth.signin") : t("auth.signup"));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      if (mode === "up") await api.signUp(handle, password, name);
      const session = await api.signIn(handle, password);
      onSignedIn(session.member);
    });
  };

  return (
    <main id="main" className="auth">
      <header>
        <h1>{t("app.name")}</h1>
        <p>{t("app.tagline")}</p>
        <button type="button" className="link" aria-label={t("nav.language.label")} onClick={() => setLang(lang === "en" ? "zh" : "en")}>
          {t("nav.language")}
        </button>
      </header>
      <p>{t("auth.welcome")}</p>
      {mode === "reset" ? (
        <ForgotPassword onSignedIn={onSignedIn} onBack={() => setMode("in")} />
      ) : (
        <form onSubmit={submit} aria-label={mode === "in" ? t("auth.signin") : t("auth.signup")}>
          <h2>{mode === "in" ? t("auth.signin") : t("auth.signup")}</h2>
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
          {mode === "up" && (
            <label>
              {t("auth.name")}
              <input name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
            </label>
          )}
          <label>
            {t("auth.password")}
            <input
              name="password"
              type="password"
              autoComplete={mode === "in" ? "current-password" : "new-password"}
              required
              minLength={mode === "up" ? 10 : undefined}
              title={mode === "up" ? t("auth.password.hint") : undefined}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <ErrorLine error={action.error} />
          <button type="submit" disabled={action.busy}>
            {mode === "in" ? t("auth.signin") : t("auth.signup")}
          </button>
          <button type="button" className="link" onClick={() => setMode(mode === "in" ? "up" : "in")}>
            {mode === "in" ? t("auth.need") : t("auth.have")}
          </button>
          {mode === "in" && (
            <button type="button" className="link" onClick={() => setMode("reset")}>
              {t("auth.forgot")}
            </button>
          )}
        </form>
      )}
    </main>
  );
}
