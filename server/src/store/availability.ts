/**
 * Whether the database can be reached right now. Statements report their failures here; while
 * the database is down a probe asks it again and again (backing off) until it answers. Health
 * (NOT_SERVING), the API's error mapping (UNAVAILABLE) and the delivery engine (pause) follow it.
 */
export interface DatabaseAvailability {
  /** False from the first connection-class failure until the database answers again. */
  readonly up: boolean;
  /** Calls `listener(up)` on each change; returns an unsubscribe function. */
  onChange(listener: (up: boolean) => void): () => void;
  /**
   * Tell it a statement failed; returns true when `error` means the database is unreachable (the
   * statement may be retried once it is back). A failure to connect marks it down at once; a
   * connection that died (terminated, reset) marks it down only if a fresh probe fails too, so
   * one killed connection is not an outage.
   */
  reportFailure(error: unknown): boolean;
}

/** Node socket errors that mean the server cannot be reached (or the connection to it died). */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs of an unreachable server (PostgreSQL appendix A): class 08 (connection exception),
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up / shutting down).
 */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03"]);

/** Messages `pg` and `pg-pool` use for dead or unobtainable connections (they carry no code). */
const UNAVAILABLE_MESSAGES = [
  "Connection terminated", // "… unexpectedly", "… due to connection timeout"
  "timeout exceeded when trying to connect", // pg-pool's connectionTimeoutMillis
  "is not queryable", // a client whose connection already failed
  "database probe timed out",
];

/** Raised without asking the database while it is known to be unreachable (see `DatabaseAvailability.up`). */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
  constructor() {
    super("the database is unreachable");
  }
}

/**
 * True for errors that mean "the database cannot be reached right now" (connection
 * refused/reset/terminated, 57P01/57P02/57P03, class 08, pool connect timeout, "Connection
 * terminated"), false for errors in the statement itself.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return isUnavailable(error, 0);
}

function isUnavailable(error: unknown, depth: number): boolean {
  if (typeof error !== "object" || error === null || depth > 4) return false;
  if (error instanceof DatabaseUnavailableError) return true;
  const { code, message, errors, cause } = error as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof message === "string" && UNAVAILABLE_MESSAGES.some((text) => message.includes(text))) return true;
  // Node reports a refused connect to a name with several addresses as an AggregateError.
  if (Array.isArray(errors) && errors.some((inner) => isUnavailable(inner, depth + 1))) return true;
  return isUnavailable(cause, depth + 1);
}

/**
 * Errors that say a NEW connection cannot be made (refused, no route, no name, connect timeout,
 * 57P03 starting up or shutting down, 08001/08004): the database is down. Other unavailable-class
 * errors say one connection died (57P01 when a backend is terminated, a reset), which happens to
 * a single connection too (pg_terminate_backend, a pooler): those are checked with a probe first.
 */
function cannotConnect(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "string" && ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "57P03", "08001", "08004"].includes(code)) {
    return true;
  }
  return typeof message === "string" && /timeout exceeded when trying to connect|database probe timed out/.test(message);
}

/** A short description of a failure for the log: message and code, no stack. */
export function describeFailure(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === "string" && message !== "" ? message : String(error);
  return typeof code === "string" && !text.includes(code) ? `${text} (${code})` : text;
}

/** The embedded database lives in this process: it is always up. */
export const alwaysAvailable: DatabaseAvailability = {
  up: true,
  onChange: () => () => {},
  reportFailure: () => false,
};

export interface AvailabilityMonitorOptions {
  /** Asks the database something trivial (`SELECT 1`); rejects when it cannot answer. */
  probe: () => Promise<void>;
  /** One line when an outage starts (warn) and one when it ends (info); must not throw. */
  log: (level: "info" | "warn", message: string) => void;
  /** First probe delay after a failure, in ms; doubles per failed probe up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** While up, probe this often (ms) so an outage is noticed even when nothing runs; 0 = never. */
  checkEveryMs?: number;
  nowMs?: () => number;
}

/** A `DatabaseAvailability` that probes; `close` stops its timers. */
export interface AvailabilityMonitor extends DatabaseAvailability {
  close(): void;
}

/**
 * Availability with a probe loop. Modes: `up` (a light probe every `checkEveryMs`), `down`
 * (probes with backoff from `retryMs` to `maxRetryMs` until one succeeds), `closed`.
 */
export function createAvailabilityMonitor(options: AvailabilityMonitorOptions): AvailabilityMonitor {
  const retryMs = options.retryMs ?? 250;
  const maxRetryMs = options.maxRetryMs ?? 2000;
  const checkEveryMs = options.checkEveryMs ?? 3000;
  const nowMs = options.nowMs ?? Date.now;
  const listeners = new Set<(up: boolean) => void>();
  let mode: "up" | "down" | "closed" = "up";
  let downSinceMs = 0;
  let delayMs = retryMs;
  let timer: NodeJS.Timeout | undefined;
  let probing = false;
  /** Counts outages, so a probe that started before one cannot end it. */
  let outages = 0;

  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = mode === "closed" || (mode === "up" && checkEveryMs <= 0) ? undefined : setTimeout(() => void probeOnce(), ms).unref();
  };
  const change = (up: boolean) => {
    for (const listener of [...listeners]) {
      try {
        listener(up);
      } catch {
        // A listener's failure must not stop the others or the monitor.
      }
    }
  };
  const markDown = (error: unknown) => {
    if (mode !== "up") return;
    mode = "down";
    outages++;
    downSinceMs = nowMs();
    delayMs = retryMs;
    options.log("warn", `database unreachable: ${describeFailure(error)}; retrying`);
    schedule(delayMs);
    change(false);
  };
  const markUp = () => {
    if (mode !== "down") return;
    mode = "up";
    options.log("info", `database reachable again after ${((nowMs() - downSinceMs) / 1000).toFixed(1)} s`);
    schedule(checkEveryMs);
    change(true);
  };
  async function probeOnce(): Promise<void> {
    if (mode === "closed") return;
    // One probe at a time; the one running reschedules when it ends.
    if (probing) return;
    probing = true;
    const startedDuring = mode === "down" ? outages : -1;
    try {
      await options.probe();
      if (mode === "down" && startedDuring === outages) markUp();
      else schedule(mode === "down" ? delayMs : checkEveryMs);
    } catch (error) {
      if (mode === "up") markDown(error);
      else if (mode === "down") {
        delayMs = Math.min(maxRetryMs, delayMs * 2);
        schedule(delayMs);
      }
    } finally {
      probing = false;
    }
  }
  /** One connection died: the database is down only if a fresh probe fails too. */
  function verify(): void {
    if (mode !== "up" || probing) return;
    probing = true;
    options
      .probe()
      .catch((error: unknown) => {
        if (mode === "up") markDown(error);
      })
      .finally(() => (probing = false));
  }
  schedule(checkEveryMs);

  return {
    get up() {
      return mode !== "down";
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    reportFailure(error) {
      if (!isDatabaseUnavailable(error)) return false;
      if (cannotConnect(error)) markDown(error);
      else verify();
      return true;
    },
    close() {
      mode = "closed";
      clearTimeout(timer);
      listeners.clear();
    },
  };
}
