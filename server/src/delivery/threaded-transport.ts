import { Worker } from "node:worker_threads";
import type { Logger } from "../observability/logger.js";
import { endpointOrigin } from "./attempt-slots.js";
import { shutdownOutcome } from "./http-transport.js";
import type { SendThreadData, SendThreadMessage, SendThreadReply } from "./send-thread-protocol.js";
import type { AttemptOutcome, Transport, TransportRequest } from "./transport.js";

/** The sending thread's entry point: send-thread.js next to this module (the compiled server). */
export const SEND_THREAD_ENTRY = new URL("./send-thread.js", import.meta.url);

export interface ThreadedTransportOptions extends SendThreadData {
  /** Sending threads (≥ 1). */
  threads: number;
  logger: Logger;
  /** The sending thread's entry point; default `SEND_THREAD_ENTRY`. */
  entry?: URL;
}

/** A sending thread that ended sooner than this after its start is started again after this long, ms. */
const RESTART_DELAY_MS = 1000;

/** How long `close` waits for the threads to finish and close their connections before ending them, ms. */
const CLOSE_WAIT_MS = 200;

/**
 * A transport whose HTTP exchanges run on `threads` worker threads (send-thread.ts), each with
 * the default undici transport: the main thread keeps the API, the database and the decisions,
 * and the requests and responses (TLS, HTTP parsing, the body reads) use other cores. On a busy
 * machine a process with more threads also gets more CPU time, so deliveries fall behind later.
 *
 * An endpoint origin always goes to the same thread (a hash of the origin), so its keep-alive
 * connections are reused and its connection limit holds. A thread that dies fails its attempts
 * in flight with error kind `other` (retried per the schedule, like any network error; their
 * requests may have been sent) and is started again; an attempt for it meanwhile waits for the
 * new thread (its request was not sent, so it must not count as the endpoint's failure). `signal`
 * aborts as in the default transport, also while waiting; `close` ends the waiting as `shutdown`.
 */
export function createThreadedTransport(options: ThreadedTransportOptions): Transport {
  const { threads, logger, entry = SEND_THREAD_ENTRY, ...data } = options;
  const pending = new Map<number, { resolve: (outcome: AttemptOutcome) => void; thread: number; startedAt: number }>();
  let nextId = 0;
  let closing = false;

  const start = (index: number): Worker => {
    const startedAt = performance.now();
    const worker = new Worker(entry, { workerData: data satisfies SendThreadData, name: `posthorn-send-${index}` });
    // Never what keeps the process alive: the engine holds the attempts, and `close` ends the threads.
    worker.unref();
    worker.on("message", ({ id, outcome }: SendThreadReply) => {
      const attempt = pending.get(id);
      pending.delete(id);
      attempt?.resolve(outcome);
    });
    worker.on("error", (error) => logger.error({ err: error, thread: index }, "a sending thread failed"));
    worker.on("exit", (code) => {
      workers[index] = undefined;
      for (const [id, attempt] of pending) {
        if (attempt.thread !== index) continue;
        pending.delete(id);
        const durationMs = Math.round(performance.now() - attempt.startedAt);
        attempt.resolve({ errorKind: "other", errorMessage: `the sending thread ended (exit code ${code})`, responseExcerpt: "", durationMs });
      }
      if (closing) return;
      // One that ended at once (it cannot load, say) is started again a second later, not in a tight loop.
      const delayMs = performance.now() - startedAt < RESTART_DELAY_MS ? RESTART_DELAY_MS : 0;
      logger.error({ thread: index, exit_code: code, restart_in_ms: delayMs }, "a sending thread ended; starting it again");
      setTimeout(() => {
        if (closing) return;
        workers[index] = start(index);
        for (const resume of waiting[index]!.splice(0)) resume();
      }, delayMs).unref();
    });
    return worker;
  };
  /** The running threads; undefined from a thread's end until it is started again. */
  const workers: (Worker | undefined)[] = Array.from({ length: threads }, (_, index) => start(index));
  /** Per thread, the attempts waiting for it to be started again (called then, and at `close`). */
  const waiting: (() => void)[][] = Array.from({ length: threads }, () => []);
  const shutdown = () => shutdownOutcome({ responseExcerpt: "", durationMs: 0 });

  /** Resolves once thread `index` runs again (or `close` was called, or `signal` aborted). */
  const threadBack = (index: number, signal: AbortSignal | undefined) =>
    new Promise<void>((resolve) => {
      const resume = () => {
        signal?.removeEventListener("abort", resume);
        resolve();
      };
      signal?.addEventListener("abort", resume, { once: true });
      waiting[index]!.push(resume);
    });

  const threadOf = (url: string): number => {
    const origin = endpointOrigin(url);
    let hash = 0;
    for (let i = 0; i < origin.length; i++) hash = (hash * 31 + origin.charCodeAt(i)) | 0;
    return Math.abs(hash) % threads;
  };

  return {
    async send(request: TransportRequest): Promise<AttemptOutcome> {
      const thread = threadOf(request.url);
      while (workers[thread] === undefined && !closing && !request.signal?.aborted) await threadBack(thread, request.signal);
      const worker = workers[thread];
      if (request.signal?.aborted || worker === undefined) return shutdown();
      const id = nextId++;
      // A copy of just the body's bytes, moved (not cloned) to the thread.
      const body = new Uint8Array(request.body);
      const message: SendThreadMessage = { kind: "send", id, url: request.url, headers: request.headers, body, deadlineMs: request.deadlineMs };
      return new Promise<AttemptOutcome>((resolve) => {
        const onAbort = () => workers[thread]?.postMessage({ kind: "abort", id } satisfies SendThreadMessage);
        request.signal?.addEventListener("abort", onAbort, { once: true });
        pending.set(id, {
          thread,
          startedAt: performance.now(),
          resolve: (outcome) => {
            request.signal?.removeEventListener("abort", onAbort);
            resolve(outcome);
          },
        });
        worker.postMessage(message, [body.buffer]);
      });
    },
    async close() {
      closing = true;
      for (const resume of waiting.flatMap((list) => list.splice(0))) resume();
      // A thread that already ended (and is not started again now) has nothing to close.
      const running = workers.filter((worker): worker is Worker => worker !== undefined);
      await Promise.all(
        running.map(async (worker) => {
          const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
          worker.postMessage({ kind: "close" } satisfies SendThreadMessage);
          const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}
