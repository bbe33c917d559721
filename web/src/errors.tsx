// What a page shows when there is nothing at its address, or when it breaks: never a
// blank app.
import { Component, useEffect, type ErrorInfo, type ReactNode } from "react";
import { useT } from "./i18n";
import { Link, usePath } from "./router";

export function NotFound() {
  const { t } = useT();
  const path = usePath();
  const title = t("notfound.title");
  useEffect(() => {
    document.title = `${title} · ${t("app.name")}`;
  }, [title, t]);
  return (
    <section aria-labelledby="notfound-title" data-testid="not-found">
      <h1 id="notfound-title">{title}</h1>
      <p>{t("notfound.text", { path })}</p>
      <p>
        <Link to="/ideas">{t("notfound.back")}</Link>
      </p>
    </section>
  );
}

function Broken({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const { t } = useT();
  return (
    <section aria-labelledby="broken-title" className="card" role="alert" data-testid="page-error">
      <h1 id="broken-title">{t("broken.title")}</h1>
      <p>{t("broken.text")}</p>
      <pre className="argv">{error.message}</pre>
      <button type="button" onClick={onRetry}>
        {t("common.retry")}
      </button>
      <Link to="/ideas">{t("notfound.back")}</Link>
    </section>
  );
}

// Around every page (keyed by its path, so another page starts afresh): a crash
// shows an error panel with a way back instead of unmounting the whole app.
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.warn("page error", error, info.componentStack);
  }

  render() {
    if (this.state.error) return <Broken error={this.state.error} onRetry={() => this.setState({ error: null })} />;
    return this.props.children;
  }
}
