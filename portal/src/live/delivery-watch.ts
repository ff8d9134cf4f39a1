import { Code, ConnectError } from "@connectrpc/connect";
import type { WatchDeliveriesResponse } from "@posthorn/proto/schema";
import type { Api } from "../api.js";

/**
 * What the watch is doing:
 * - `connecting`: a stream is being opened, or is open and waiting for the first attempt;
 * - `watching`: attempts have arrived on the current stream;
 * - `reconnecting`: the stream ended or broke; a new one opens after `retryInMs`;
 * - `stopped`: the view was left (aborted);
 * - `failed`: the server refused in a way no reconnect fixes (an expired link, no permission).
 */
export type WatchMode =
  | { mode: "connecting" }
  | { mode: "watching" }
  | { mode: "reconnecting"; retryInMs: number; cause: unknown }
  | { mode: "stopped" }
  | { mode: "failed"; error: unknown };

/** Backoff between reconnects, in ms: doubling from 1 s up to 30 s; back to 1 s once an attempt arrives. */
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

/** Codes a new stream would get again: stop and say why instead of retrying. */
const FINAL_CODES = new Set([Code.Unauthenticated, Code.PermissionDenied, Code.InvalidArgument, Code.Unimplemented]);

/**
 * WatchDeliveries over Connect server streaming, kept open: each attempt's outcome goes to
 * `onAttempt`; when the stream ends (a server restart, a proxy's idle timeout, a network change)
 * it opens a new one after a growing delay. Attempts made while no stream was open are not
 * replayed (the delivery log has them). `signal` stops it for good.
 */
export async function watchDeliveries(
  api: Api,
  signal: AbortSignal,
  onAttempt: (message: WatchDeliveriesResponse) => void,
  onMode: (mode: WatchMode) => void,
): Promise<void> {
  let delayMs = FIRST_DELAY_MS;
  while (!signal.aborted) {
    onMode({ mode: "connecting" });
    let cause: unknown = new ConnectError("the stream ended", Code.Unavailable);
    try {
      for await (const message of api.watchDeliveries({}, { signal })) {
        delayMs = FIRST_DELAY_MS;
        onMode({ mode: "watching" });
        onAttempt(message);
      }
    } catch (error) {
      if (signal.aborted) break;
      if (FINAL_CODES.has(ConnectError.from(error).code)) {
        onMode({ mode: "failed", error });
        return;
      }
      cause = error;
    }
    if (signal.aborted) break;
    onMode({ mode: "reconnecting", retryInMs: delayMs, cause });
    await sleep(delayMs, signal);
    delayMs = Math.min(delayMs * 2, MAX_DELAY_MS);
  }
  onMode({ mode: "stopped" });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
