import { useEffect, useState } from "preact/hooks";
import "./live.css";
import "../ui/log-views.css";
import type { WatchDeliveriesResponse } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { ErrorNotice } from "../ui/error-notice.js";
import { watchDeliveries, type WatchMode } from "./delivery-watch.js";
import { LiveLine } from "./live-line.js";

/** Lines kept: older ones drop off the bottom (the delivery log has them all). */
const MAX_LINES = 200;

interface Line {
  /** Attempt id: unique per line. */
  key: string;
  message: WatchDeliveriesResponse;
}

/** What the status line says for each mode. */
function modeText(mode: WatchMode): string {
  switch (mode.mode) {
    case "connecting":
    case "watching":
      return "Listening: attempts appear here as they happen.";
    case "reconnecting":
      return `The connection was lost; reconnecting in ${Math.round(mode.retryInMs / 1000)} s…`;
    case "stopped":
      return "Stopped.";
    case "failed":
      return "Not listening.";
  }
}

/**
 * The live tail: every delivery attempt of the customer as it finishes (WatchDeliveries over
 * Connect), newest on top, at most 200 lines. The stream is reopened with backoff when it ends,
 * and closed when the view is left.
 */
export function LiveView({ api }: { api: Api }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [mode, setMode] = useState<WatchMode>({ mode: "connecting" });

  useEffect(() => {
    const abort = new AbortController();
    const add = (message: WatchDeliveriesResponse) => {
      const key = message.attempt?.id ?? `${message.delivery?.id}-${message.attempt?.attemptNumber}`;
      setLines((shown) => [{ key, message }, ...shown].slice(0, MAX_LINES));
    };
    void watchDeliveries(api, abort.signal, add, setMode);
    return () => abort.abort();
  }, [api]);

  return (
    <section class="view" aria-labelledby="live-heading">
      <h2 id="live-heading">Live</h2>
      <div class="live-status">
        <p role="status">{modeText(mode)}</p>
        <button type="button" onClick={() => setLines([])} disabled={lines.length === 0}>
          Clear
        </button>
      </div>
      {mode.mode === "failed" && <ErrorNotice error={mode.error} />}
      {lines.length === 0 && mode.mode !== "failed" && <p>No attempts yet. Send a test event from Endpoints to see one here.</p>}
      <ol class="live" aria-label="Attempts, newest first" aria-live="polite" aria-relevant="additions">
        {lines.map((line) => (
          <LiveLine key={line.key} message={line.message} />
        ))}
      </ol>
    </section>
  );
}
