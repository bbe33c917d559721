import { useEffect, useState } from "react";
import { api, ApiError, type JobDetail } from "../../api";
import { LogTail } from "../../logtail";

export type LinkState = "connecting" | "live" | "reconnecting" | "disconnected";

// A `job` event is the job, or (for an id the caller cannot read) the API's error.
function parseJob(data: string): JobDetail | ApiError {
  const doc = JSON.parse(data) as JobDetail | { error: { code: string; message: string; field: string } };
  if ("error" in doc) {
    const status = doc.error.code === "not_found" ? 404 : doc.error.code === "permission_denied" ? 403 : 400;
    return new ApiError(status, doc.error.code, doc.error.message, doc.error.field);
  }
  return doc;
}

// A job's state and output, live from GET /api/v1/events?job=ID: the output resumes
// where it left off after a dropped connection, and the page says when it is cut off.
export function useJobStream(id: number) {
  const [job, setJob] = useState<JobDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [log, setLog] = useState("");
  const [link, setLink] = useState<LinkState>("connecting");

  useEffect(() => {
    const tail = new LogTail();
    setLog("");
    setJob(null);
    setError(null);
    setLink("connecting");
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      source?.close();
      clearTimeout(retry);
    };
    const connect = () => {
      const s = api.events(id);
      source = s;
      s.onopen = () => {
        tail.opened();
        setLink("live");
      };
      s.onerror = () => {
        if (stopped) return;
        if (s.readyState === EventSource.CLOSED) {
          // The browser gave up (the server answered with an error or went away):
          // try again a little later; the tail drops what it already shows.
          setLink("disconnected");
          retry = setTimeout(connect, 3000);
        } else setLink("reconnecting");
      };
      s.addEventListener("job", (e) => {
        const got = parseJob((e as MessageEvent<string>).data);
        if (got instanceof ApiError) {
          setError(got);
          stop();
          setLink("disconnected");
        } else setJob(got);
      });
      s.addEventListener("log", (e) => {
        const event = e as MessageEvent<string>;
        const chunk = (JSON.parse(event.data) as { text: string }).text;
        if (tail.add(chunk, event.lastEventId)) setLog(tail.text);
      });
      s.addEventListener("end", () => {
        stop();
        setLink("disconnected");
      });
    };
    connect();
    // The browser knows when it lost the network: say so at once, and connect again
    // (the tail drops what it already shows) when it is back.
    const offline = () => {
      if (stopped) return;
      source?.close();
      clearTimeout(retry);
      setLink("disconnected");
    };
    const online = () => {
      if (stopped) return;
      source?.close();
      clearTimeout(retry);
      setLink("reconnecting");
      connect();
    };
    window.addEventListener("offline", offline);
    window.addEventListener("online", online);
    api.job(id).then(
      (j) => setJob((current) => current ?? j),
      (e: unknown) => {
        setError(e);
        // A job this caller cannot read (gone, or not allowed): stop asking.
        if (e instanceof ApiError && e.status >= 400 && e.status < 500) stop();
      },
    );
    return () => {
      stop();
      window.removeEventListener("offline", offline);
      window.removeEventListener("online", online);
    };
  }, [id]);

  return { job, setJob, error, log, link };
}
