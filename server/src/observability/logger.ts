import { context, trace, type SpanContext } from "@opentelemetry/api";
import pino, { type Logger } from "pino";

export type { Logger };

/** pino's asynchronous file-descriptor destination (sonic-boom). */
type Destination = ReturnType<typeof pino.destination>;

/** Log bytes held while stdout does not take them (a full pipe nobody reads); later lines are dropped. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Destinations that gave up writing (see `stopWriting`). */
const stopped = new WeakSet<Destination>();

/**
 * The process logger: JSON lines (pino) on stdout, one object per line, so log shippers read it
 * as is; when stdout is a terminal, pino-pretty renders the same records readably. Never log
 * secrets or payloads: attempts log ids and the endpoint's origin only.
 *
 * A line written inside a traced operation (an RPC, a claim, an attempt) carries `trace_id` and
 * `span_id` of the active span (`traceIdMixin`), so it can be found from the trace and back.
 *
 * Logging never holds up the process. Lines go to fd 1 through pino's asynchronous destination
 * (`pino.destination({ sync: false })`), so a stdout nobody reads (a full pipe) delays logging
 * only, never the event loop or a signal handler; at most 16 MiB wait, later lines are dropped.
 * A write error — EPIPE when the reader is gone (pino's own handler), EBADF, EIO, anything —
 * stops logging for good instead of throwing or retrying. Before exiting, call
 * `releaseLogOutput` to write what is left within a time bound.
 */
export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  const options = { level, base: { service: "posthorn" }, mixin: traceIdMixin };
  if (pretty) {
    return pino({ ...options, transport: { target: "pino-pretty", options: { translateTime: "SYS:standard", ignore: "pid,hostname,service" } } });
  }
  return pino(options, createLogDestination(1));
}

/**
 * The asynchronous destination of `createLogger` on `dest` (a file descriptor, or a file path in
 * tests): sonic-boom holding at most 16 MiB, stopping for good on a write error, and writing the
 * lines of one event-loop turn together (`coalesceWrites`).
 */
export function createLogDestination(dest: number | string): Destination {
  const destination = pino.destination({ dest, sync: false, maxLength: MAX_BUFFERED_BYTES });
  // pino's handler (lib/tools.js `filterBrokenPipe`) silences EPIPE and re-emits anything else,
  // which would crash the process as an unhandled 'error' event without this listener.
  destination.on("error", () => stopWriting(destination));
  // sonic-boom 4's flushSync retries every failed write forever (a dead stdout answers EPIPE each
  // time), and pino calls it from `fatal` and on process exit. `releaseLogOutput` drains the buffer
  // asynchronously, with a bound, on every exit path of `posthorn serve` instead.
  destination.flushSync = () => {};
  coalesceWrites(destination);
  return destination;
}

/**
 * Lines logged in one turn of the event loop go to sonic-boom together, at the end of the turn
 * (`setImmediate`), so they leave in one write instead of one write per line: a batch of
 * recorded attempts logs its `attempt` lines in one turn. Logging was 6–7 % of the server's time
 * at 1,000 deliveries/s in issue 18's W2 profile, 4–5 % with this (docs/performance.md). Nothing
 * waits longer than the turn; lines still held when logging stops (`stopWriting`) are dropped like
 * later ones.
 */
function coalesceWrites(destination: Destination): void {
  const write = destination.write.bind(destination);
  let held = "";
  const writeHeld = () => {
    const lines = held;
    held = "";
    if (lines !== "" && !stopped.has(destination)) write(lines);
  };
  destination.write = (line: string) => {
    // An empty write is a request for "drain" (releaseLogOutput): what is held goes first.
    if (line === "") {
      writeHeld();
      return write(line);
    }
    if (held === "") setImmediate(writeHeld);
    held += line;
    return true;
  };
}

/**
 * The active span's ids for a log line (`trace_id`, `span_id`: 32 and 16 hex digits, the names
 * OpenTelemetry's log data model and the pino instrumentation use), or nothing outside a span.
 */
export function traceIdMixin(): { trace_id?: string; span_id?: string } {
  return traceIdsOf(trace.getSpanContext(context.active()));
}

/** `trace_id` and `span_id` of `spanContext` for a log line; nothing when there is none or it is not valid (tracing off, no caller trace). */
export function traceIdsOf(spanContext: SpanContext | undefined): { trace_id?: string; span_id?: string } {
  return spanContext && trace.isSpanContextValid(spanContext) ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
}

/**
 * Writes the lines the logger still holds, waiting at most `withinMs` milliseconds, then stops
 * its output for good (later log calls do nothing), so that exiting never waits on stdout.
 * Resolves true when everything was written, false when stdout failed or did not take it all in
 * time (those lines are lost). Never rejects. For the pretty (terminal) logger it asks pino to
 * flush and waits the same bound.
 */
export async function releaseLogOutput(logger: Logger, withinMs: number): Promise<boolean> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), withinMs)));
  try {
    if (!isDestination(stream)) {
      return await Promise.race([late, new Promise<boolean>((resolve) => logger.flush((error) => resolve(error == null)))]);
    }
    if (stopped.has(stream)) return false;
    const drained = new Promise<boolean>((resolve) => {
      stream.once("drain", () => resolve(true));
      stream.once("error", () => resolve(false));
    });
    // An empty write starts one if none is in flight; "drain" follows once the buffer is empty.
    stream.write("");
    const written = await Promise.race([late, drained]);
    stopWriting(stream);
    return written;
  } finally {
    clearTimeout(timer);
  }
}

function isDestination(stream: unknown): stream is Destination {
  return typeof stream === "object" && stream !== null && "fd" in stream && "flushSync" in stream;
}

/**
 * Makes every later call on the destination a no-op — what pino itself does on EPIPE
 * (lib/tools.js `filterBrokenPipe`), for any reason to stop.
 */
function stopWriting(destination: Destination): void {
  if (stopped.has(destination)) return;
  stopped.add(destination);
  const noop = () => {};
  Object.assign(destination, { write: () => true, flush: (cb?: (error?: Error) => void) => cb?.(), flushSync: noop, end: noop, destroy: noop });
}
