/**
 * The peers harness's workloads W1/W2/W3 (`/work/shared/bench/peers/`, issue 18), in the same
 * shape, so `npm run bench` and `run.mjs --systems=posthorn` measure the same thing:
 *
 * - the rig: one customer × 10 endpoints (`fanout` layout: 10 subscriptions, one per receiver
 *   port, all event types), so one event = 10 deliveries; a fresh store and server per run;
 * - 1 s after set-up, 50 warm-up events through EmitBatch, all receipts awaited, not measured;
 *   then `CHECKPOINT` (PostgreSQL), W3's hanging endpoint starts hanging, 1 s pause;
 * - the measured part: W1 = `w1Events` events through EmitBatch (100 a call, 4 calls in flight);
 *   W2 = open loop, `w2Rate` unary Emit calls/s for `w2Seconds` s, each sent on schedule;
 *   W3 = W1 with endpoint 10 of 10 reading each request and never answering;
 * - waits until every healthy delivery has arrived (or none has for `stallMs`, or `timeoutMs`
 *   passed), then 3 s settle.
 *
 * Figures: deliveries/s = healthy deliveries ÷ (first emit → last receipt); emit-accept rate;
 * emit→receipt latency (receipt time − `data.sent_at_ms`, first receipt per event and endpoint);
 * Emit call latency; CPU seconds over first emit → last receipt + settle, from /proc, per process
 * tree (server, PostgreSQL's postmaster with all its backends, receivers, load generator) and for
 * the whole machine (/proc/stat: includes other people's load), each per 1,000 deliveries; the
 * server's peak RSS (VmHWM, since it started).
 */
import { loadavg } from "node:os";
import { CpuSecondsWindow, LoadGenerator, memoryMb, watchedPostgres } from "../processes.js";
import type { Rig } from "../rig.js";
import { median, sleep, summarize } from "../stats.js";
import { checkpoint } from "../stores.js";

export type WorkloadName = "w1" | "w2" | "w3";

export interface WorkloadOptions {
  workload: WorkloadName;
  /** W1/W3: events emitted (× 10 endpoints = deliveries). Peers' default 2,000. */
  w1Events: number;
  /** W2: unary Emit calls per second (one event each). Peers' default 100. */
  w2Rate: number;
  /** W2: seconds of offered load. Peers' default 30. */
  w2Seconds: number;
  /** Endpoint indexes that hang in the measured part (W3: the last one). */
  hang: number[];
  warmEvents: number;
  settleMs: number;
  /** Give up waiting when no healthy delivery arrived for this long (ms). */
  stallMs: number;
  /** Give up waiting this long (ms) after the first emit. */
  timeoutMs: number;
}

type Percentiles = ReturnType<typeof summarize>;

/** The processes whose CPU is accounted, plus `machine` (whole machine, /proc/stat). */
export interface CpuFigures {
  server: number;
  /** Postmaster + backends; NaN on PGlite (in the server) or a PostgreSQL this run did not start. */
  postgres: number;
  receivers: number;
  loadgen: number;
  /** server + postgres: what the peers harness calls the system's total. */
  system: number;
  /** server + postgres + receivers + load generator. */
  processes: number;
  /** Busy time of the whole machine (all cores, every process, neighbours included). */
  machine: number;
}

/** One run of one workload. Times in ms unless named `…S` (seconds). */
export interface WorkloadRun {
  workload: WorkloadName;
  startedAt: string;
  loadAvgBefore: number[];
  loadAvgAfter: number[];
  checkpoint: string;
  /** Events accepted in the measured part. */
  events: number;
  emitCalls: number;
  emitErrors: number;
  firstEmitError?: string;
  emitCallMs: Percentiles;
  emitSeconds: number;
  emitAcceptPerSec: number;
  expectedDeliveries: number;
  receivedDeliveries: number;
  missing: number;
  complete: boolean;
  duplicates: number;
  verifyFailures: number;
  firstEmitToLastReceiptS: number;
  deliveriesPerSec: number;
  latencyMs: Percentiles;
  /** W2 only: the generator's worst lateness against its schedule, the rate it achieved, the drain. */
  maxScheduleLagMs?: number;
  offeredEventsPerSec?: number;
  drainAfterLastEmitS?: number;
  /** CPU seconds from the first emit to the last receipt + settle (`windowS`). */
  cpuSeconds: CpuFigures;
  windowS: number;
  /** `cpuSeconds` per 1,000 received deliveries. */
  cpuPer1k: CpuFigures;
  peakRssMb: number;
}

const nowMs = () => performance.timeOrigin + performance.now();
const round = (value: number, decimals: number) => Number(value.toFixed(decimals));

/** Runs one workload on a fresh `fanout` rig with no hanging endpoint (W3 hangs one later). */
export async function runWorkload(rig: Rig, options: WorkloadOptions): Promise<WorkloadRun> {
  const { receivers, server } = rig;
  const healthy = receivers.ports.map((_, i) => i).filter((i) => !options.hang.includes(i));
  const load = new LoadGenerator();
  try {
    await sleep(1000);
    const fill = (events: number) => ({ type: "fill" as const, address: server.address, customers: rig.customers, events, batchSize: 100, concurrency: 4 });
    await load.run(fill(options.warmEvents));
    const warmDeadline = performance.now() + 120_000;
    while ((await receivers.snapshot()).counts.some((n) => n < options.warmEvents)) {
      if (performance.now() > warmDeadline) throw new Error(`warm-up: not every endpoint got ${options.warmEvents} events in 120 s`);
      await sleep(100);
    }
    const databaseUrl = rig.storeEnv.DATABASE_URL;
    const checkpointed = databaseUrl ? await checkpoint(databaseUrl) : "skipped (PGlite)";
    if (options.hang.length > 0) await receivers.hang(options.hang);
    await sleep(1000);

    const before = await receivers.snapshot();
    await receivers.record(true);
    const loadAvgBefore = loadavg();
    const postmaster = watchedPostgres();
    const cpu = new CpuSecondsWindow({
      server: server.pid,
      receivers: receivers.child.pid!,
      loadgen: load.child.pid!,
      ...(postmaster !== undefined ? { postgres: postmaster } : {}),
    });
    const result =
      options.workload === "w2"
        ? await load.run({ type: "rate", address: server.address, customers: rig.customers, ratePerSec: options.w2Rate, durationMs: options.w2Seconds * 1000 })
        : await load.run(fill(options.w1Events));
    const events = result.emitted.reduce((a, b) => a + b, 0);
    const expected = events * healthy.length;
    const received = (counts: number[]) => healthy.reduce((sum, i) => sum + (counts[i] ?? 0) - (before.counts[i] ?? 0), 0);

    let got = -1;
    let lastChange = performance.now();
    const deadline = result.startedAtMs + options.timeoutMs;
    for (;;) {
      const now = received((await receivers.snapshot()).counts);
      if (now >= expected) break;
      if (now !== got) [got, lastChange] = [now, performance.now()];
      if (performance.now() - lastChange > options.stallMs || nowMs() > deadline) break;
      await sleep(50);
    }
    await sleep(options.settleMs);
    const used = cpu.read();
    const snap = await receivers.snapshot(true);
    await receivers.record(false);
    const peakRssMb = memoryMb(server.pid).peakMb;

    const receivedDeliveries = received(snap.counts);
    const wallS = (snap.lastReceiptMs - result.startedAtMs) / 1000;
    const emitSeconds = result.elapsedMs / 1000;
    const cpuSeconds: CpuFigures = {
      server: used.server!,
      postgres: used.postgres ?? Number.NaN,
      receivers: used.receivers!,
      loadgen: used.loadgen!,
      system: used.server! + (used.postgres ?? 0),
      processes: used.server! + (used.postgres ?? 0) + used.receivers! + used.loadgen!,
      machine: used.machine!,
    };
    const per1k = (seconds: number) => round((seconds / Math.max(1, receivedDeliveries)) * 1000, 3);
    return {
      workload: options.workload,
      startedAt: new Date(result.startedAtMs).toISOString(),
      loadAvgBefore,
      loadAvgAfter: loadavg(),
      checkpoint: checkpointed,
      events,
      emitCalls: result.calls,
      emitErrors: result.errors,
      ...(result.firstError !== undefined ? { firstEmitError: result.firstError } : {}),
      emitCallMs: result.callMs,
      emitSeconds: round(emitSeconds, 3),
      emitAcceptPerSec: round(events / emitSeconds, 1),
      expectedDeliveries: expected,
      receivedDeliveries,
      missing: expected - receivedDeliveries,
      complete: receivedDeliveries >= expected,
      duplicates: snap.duplicates - before.duplicates,
      verifyFailures: snap.verifyFailures - before.verifyFailures,
      firstEmitToLastReceiptS: round(wallS, 3),
      deliveriesPerSec: round(receivedDeliveries / wallS, 1),
      latencyMs: summarize((snap.latencies ?? []).filter((_, i) => healthy.includes(i)).flat()),
      ...(options.workload === "w2"
        ? {
            maxScheduleLagMs: round(result.maxScheduleLagMs ?? 0, 1),
            offeredEventsPerSec: round(events / ((result.lastSentAtMs - result.startedAtMs) / 1000), 1),
            drainAfterLastEmitS: round((snap.lastReceiptMs - result.lastSentAtMs) / 1000, 3),
          }
        : {}),
      cpuSeconds: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, round(v, 3)])) as unknown as CpuFigures,
      windowS: round(used.windowS!, 2),
      cpuPer1k: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, per1k(v)])) as unknown as CpuFigures,
      peakRssMb: round(peakRssMb, 1),
    };
  } finally {
    load.kill();
  }
}

/** The median over repeated runs of one workload: the figures the table prints. */
export interface WorkloadSummary {
  runs: number;
  /** Runs where every healthy delivery arrived. */
  complete: number;
  deliveriesPerSec: number;
  emitAcceptPerSec: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  emitCallMs: { p50: number; p99: number };
  drainAfterLastEmitS: number;
  /** Summed over the runs. */
  missing: number;
  duplicates: number;
  verifyFailures: number;
  emitErrors: number;
  cpuPer1k: CpuFigures;
  peakRssMb: number;
  loadAvgBefore: number;
}

/** Medians (nearest even: mean of the middle two) of each figure over `runs`, as the peers' summarize.mjs. */
export function summarizeWorkload(runs: WorkloadRun[]): WorkloadSummary {
  const med = (get: (run: WorkloadRun) => number | undefined) => median(runs.map(get).filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const sum = (get: (run: WorkloadRun) => number) => runs.reduce((total, run) => total + get(run), 0);
  const cpu = (key: keyof CpuFigures) => med((run) => run.cpuPer1k[key]);
  return {
    runs: runs.length,
    complete: runs.filter((run) => run.complete).length,
    deliveriesPerSec: med((run) => run.deliveriesPerSec),
    emitAcceptPerSec: med((run) => run.emitAcceptPerSec),
    latencyMs: { p50: med((run) => run.latencyMs.p50), p95: med((run) => run.latencyMs.p95), p99: med((run) => run.latencyMs.p99), max: med((run) => run.latencyMs.max) },
    emitCallMs: { p50: med((run) => run.emitCallMs.p50), p99: med((run) => run.emitCallMs.p99) },
    drainAfterLastEmitS: med((run) => run.drainAfterLastEmitS),
    missing: sum((run) => run.missing),
    duplicates: sum((run) => run.duplicates),
    verifyFailures: sum((run) => run.verifyFailures),
    emitErrors: sum((run) => run.emitErrors),
    cpuPer1k: { server: cpu("server"), postgres: cpu("postgres"), receivers: cpu("receivers"), loadgen: cpu("loadgen"), system: cpu("system"), processes: cpu("processes"), machine: cpu("machine") },
    peakRssMb: med((run) => run.peakRssMb),
    loadAvgBefore: med((run) => run.loadAvgBefore[0]),
  };
}
