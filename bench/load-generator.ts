/**
 * Load generator for the benchmark, run as its own process (`fork` with IPC): emits events
 * through the TypeScript SDK (`emit`, `emitBatch`) over one gRPC channel on loopback.
 *
 * Events are `lead.created`, spread round-robin over the given customers; `data` carries
 * `{"sent_at_ms": <wall-clock ms at the call>, "n": <sequence>}` so receivers can time the
 * emit→receipt path.
 *
 * Modes (one per process run; see {@link LoadCommand}):
 * - `saturate`: EmitBatch as fast as `concurrency` calls in flight allow, until `stop`; the
 *   orchestrator pauses/resumes it to keep the backlog bounded; reports progress every 200 ms.
 * - `rate`: unary Emit at a fixed offered rate (open loop: calls are sent on schedule without
 *   waiting for earlier answers), for `durationMs`.
 * - `unary`: unary Emit, closed loop with `inFlight` calls outstanding, for `durationMs`.
 * - `batch`: EmitBatch of `batchSize`, `concurrency` in flight, for `durationMs`.
 * - `fill`: exactly `events` events through EmitBatch, then done.
 *
 * It calls with the API key in POSTHORN_API_KEY (set by processes.ts `LoadGenerator`).
 */
import { createWebhookClient, type WebhookClient } from "@posthorn/sdk";
import { summarize } from "./stats.js";

export type LoadCommand =
  | { type: "saturate"; address: string; customers: string[]; batchSize: number; concurrency: number }
  | { type: "rate"; address: string; customers: string[]; ratePerSec: number; durationMs: number }
  | { type: "unary"; address: string; customers: string[]; inFlight: number; durationMs: number }
  | { type: "batch"; address: string; customers: string[]; batchSize: number; concurrency: number; durationMs: number }
  | { type: "fill"; address: string; customers: string[]; events: number; batchSize: number; concurrency: number }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" };

export interface LoadResult {
  /** Events accepted by the server (per customer, in the order given). */
  emitted: number[];
  /** Calls that failed. */
  errors: number;
  firstError?: string;
  /** Calls that succeeded. */
  calls: number;
  elapsedMs: number;
  /** Call latency (ms) percentiles. */
  callMs: { count: number; p50: number; p95: number; p99: number; max: number };
  /** Largest lateness (ms) of a scheduled send (`rate` mode: the generator's own lag). */
  maxScheduleLagMs?: number;
  /** Wall-clock ms (this machine's clock, as `sent_at_ms`) right before the first call. */
  startedAtMs: number;
  /** Wall-clock ms when the last call was sent (`rate` mode; else when the last call returned). */
  lastSentAtMs: number;
}

export type LoadReply = { type: "progress"; emitted: number[]; errors: number } | { type: "done"; result: LoadResult };

const nowMs = () => performance.timeOrigin + performance.now();

let client: WebhookClient | undefined;
let clientAddress: string | undefined;
let running = true;
let paused = false;
let resumeWaiters: (() => void)[] = [];
let seq = 0;
let emitted: number[] = [];
let errors = 0;
let firstError: string | undefined;
let calls = 0;
const callMs: number[] = [];

function event(customers: string[]) {
  const index = seq % customers.length;
  seq++;
  return { index, init: { type: "lead.created", customerId: customers[index]!, data: { sent_at_ms: nowMs(), n: seq } } };
}

function failed(error: unknown): void {
  errors++;
  firstError ??= String((error as Error).message ?? error);
}

async function whileRunning(durationMs: number | undefined, body: () => Promise<void>): Promise<void> {
  const deadline = durationMs === undefined ? Infinity : nowMs() + durationMs;
  while (running && nowMs() < deadline) {
    if (paused) await new Promise<void>((resolve) => resumeWaiters.push(resolve));
    if (!running) return;
    await body();
  }
}

async function emitBatchOnce(customers: string[], batchSize: number): Promise<void> {
  const batch = Array.from({ length: batchSize }, () => event(customers));
  const started = nowMs();
  try {
    await client!.emitBatch({ events: batch.map((e) => e.init) }, { deadlineMs: 60_000 });
    callMs.push(nowMs() - started);
    calls++;
    for (const e of batch) emitted[e.index]!++;
  } catch (error) {
    failed(error);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function emitOnce(customers: string[]): Promise<void> {
  const e = event(customers);
  const started = nowMs();
  try {
    await client!.emit(e.init, { deadlineMs: 30_000 });
    callMs.push(nowMs() - started);
    calls++;
    emitted[e.index]!++;
  } catch (error) {
    failed(error);
  }
}

async function rate(customers: string[], ratePerSec: number, durationMs: number): Promise<{ maxLag: number; lastSentAtMs: number }> {
  const start = nowMs();
  const total = Math.round((ratePerSec * durationMs) / 1000);
  const outstanding = new Set<Promise<void>>();
  let sent = 0;
  let maxLag = 0;
  while (sent < total && running) {
    const now = nowMs();
    const due = Math.min(total, Math.floor(((now - start) * ratePerSec) / 1000) + 1);
    if (due > sent) maxLag = Math.max(maxLag, now - (start + (sent * 1000) / ratePerSec));
    for (; sent < due; sent++) {
      const call = emitOnce(customers).finally(() => outstanding.delete(call));
      outstanding.add(call);
    }
    const nextAt = start + (sent * 1000) / ratePerSec;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextAt - nowMs())));
  }
  const lastSentAtMs = nowMs();
  await Promise.all(outstanding);
  return { maxLag, lastSentAtMs };
}

async function run(command: Exclude<LoadCommand, { type: "pause" | "resume" | "stop" }>): Promise<LoadResult> {
  const apiKey = process.env.POSTHORN_API_KEY;
  // One channel for all the runs of this process (a warm-up's connection serves the measured run).
  if (clientAddress !== command.address) {
    client?.close();
    client = createWebhookClient({ address: command.address, maxRetries: 0, ...(apiKey ? { metadata: { authorization: `Bearer ${apiKey}` } } : {}) });
    clientAddress = command.address;
  }
  running = true;
  emitted = command.customers.map(() => 0);
  errors = 0;
  firstError = undefined;
  calls = 0;
  callMs.length = 0;
  const started = nowMs();
  let maxScheduleLagMs: number | undefined;
  let lastSentAtMs: number | undefined;
  switch (command.type) {
    case "saturate": {
      const progress = setInterval(() => process.send?.({ type: "progress", emitted, errors } satisfies LoadReply), 200);
      await Promise.all(Array.from({ length: command.concurrency }, () => whileRunning(undefined, () => emitBatchOnce(command.customers, command.batchSize))));
      clearInterval(progress);
      break;
    }
    case "rate":
      ({ maxLag: maxScheduleLagMs, lastSentAtMs } = await rate(command.customers, command.ratePerSec, command.durationMs));
      break;
    case "unary":
      await Promise.all(Array.from({ length: command.inFlight }, () => whileRunning(command.durationMs, () => emitOnce(command.customers))));
      break;
    case "batch":
      await Promise.all(Array.from({ length: command.concurrency }, () => whileRunning(command.durationMs, () => emitBatchOnce(command.customers, command.batchSize))));
      break;
    case "fill": {
      let left = command.events;
      await Promise.all(
        Array.from({ length: command.concurrency }, async () => {
          while (left > 0 && running) {
            const size = Math.min(command.batchSize, left);
            left -= size;
            await emitBatchOnce(command.customers, size);
          }
        }),
      );
      break;
    }
  }
  const elapsedMs = nowMs() - started;
  return {
    emitted,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
    calls,
    elapsedMs,
    callMs: summarize(callMs),
    ...(maxScheduleLagMs !== undefined ? { maxScheduleLagMs } : {}),
    startedAtMs: started,
    lastSentAtMs: lastSentAtMs ?? started + elapsedMs,
  };
}

process.on("message", (message: LoadCommand) => {
  switch (message.type) {
    case "pause":
      paused = true;
      break;
    case "resume":
      paused = false;
      resumeWaiters.forEach((resolve) => resolve());
      resumeWaiters = [];
      break;
    case "stop":
      running = false;
      paused = false;
      resumeWaiters.forEach((resolve) => resolve());
      resumeWaiters = [];
      break;
    default:
      void run(message).then((result) => process.send?.({ type: "done", result } satisfies LoadReply));
  }
});
process.on("disconnect", () => process.exit(0));
