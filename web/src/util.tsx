// Small pieces every page uses: loading data, showing errors, forms' busy state.
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { ApiError } from "./api";
import { useT } from "./i18n";

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string>("");
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => live && (setData(d), setError("")),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
    // `load` is a new closure each render; `deps` say when it loads something else.
  }, [...deps, tick]);
  return { data, error, reload, setData };
}

// Runs an action, keeping its error for the form to show; `then` runs on success.
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const run = async (fn: () => Promise<unknown>, then?: () => void) => {
    setBusy(true);
    setError("");
    try {
      await fn();
      then?.();
    } catch (e) {
      setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}

export function ErrorLine({ message }: { message: string }) {
  const { t } = useT();
  if (!message) return null;
  return (
    <p className="error" role="alert">
      {t("common.error", { message })}
    </p>
  );
}

export function Loading({ error, children }: { error: string; children?: ReactNode }) {
  const { t } = useT();
  if (error) return <ErrorLine message={error} />;
  return <p aria-busy="true">{children ?? t("common.loading")}</p>;
}

export function when(iso: string | null | undefined, lang: string): string {
  if (!iso) return "–";
  return new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
  });
}

// A stable colour per project, for the GPU grid and charts.
export function projectColor(id: number): string {
  const hue = (id * 137.508) % 360;
  return `hsl(${hue.toFixed(0)} 62% 42%)`;
}
