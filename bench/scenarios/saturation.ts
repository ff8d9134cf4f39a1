/**
 * End-to-end throughput at saturation: the load generator feeds EmitBatch (100 events a call,
 * 2 calls in flight) and is paused whenever the healthy endpoints' backlog (emitted − received)
 * passes `backlogCap`, so the server always has work but the backlog stays bounded. After a
 * warm-up, receipts over the measurement window give deliveries/s; the server's CPU (cores
 * used) and peak RSS are read from /proc.
 */
import { CpuWindow, LoadGenerator, RssSampler } from "../processes.js";
import type { Rig } from "../rig.js";
import { sleep } from "../stats.js";

export interface SaturationResult {
  /** Deliveries received per second over the window, all healthy endpoints. */
  deliveriesPerSec: number;
  /** Per endpoint, deliveries/s over the window. */
  perEndpointPerSec: number[];
  /** Events accepted per second over the window. */
  emitsPerSec: number;
  /** Smallest healthy backlog seen in the window (0 = the server ran dry: load-limited). */
  minBacklog: number;
  /** Cores used over the window (1.0 = one core). */
  cpuCores: Record<string, number>;
  /** Server CPU milliseconds per delivery. */
  serverCpuMsPerDelivery: number;
  peakRssMb: number;
  duplicates: number;
  verifyFailures: number;
  emitErrors: number;
  windowSeconds: number;
}

export async function runSaturation(
  rig: Rig,
  options: {
    warmupMs: number;
    measureMs: number;
    backlogCap: number;
    hang?: number[];
    /** Started `afterMs` into the window; the window lasts until it settles too (retention: the prune). */
    during?: { afterMs: number; run: () => Promise<void> };
  },
): Promise<SaturationResult> {
  const hang = new Set(options.hang ?? []);
  // Receipts before this run (a rig reused by several runs, as retention does) are not backlog.
  const startCounts = (await rig.receivers.snapshot()).counts;
  const load = new LoadGenerator();
  const rss = new RssSampler(rig.server.pid);
  const running = load.run({ type: "saturate", address: rig.server.address, customers: rig.customers, batchSize: 100, concurrency: 2 });
  let paused = false;
  let minBacklog = Infinity;
  let measuring = false;
  let counts: number[] = [];
  const control = async () => {
    const snap = await rig.receivers.snapshot();
    counts = snap.counts;
    const emitted = load.progress.emitted;
    let backlog = 0;
    for (let i = 0; i < counts.length; i++) if (!hang.has(i)) backlog += (emitted[i] ?? 0) - ((counts[i] ?? 0) - (startCounts[i] ?? 0));
    if (measuring) minBacklog = Math.min(minBacklog, backlog);
    if (!paused && backlog > options.backlogCap) {
      load.send({ type: "pause" });
      paused = true;
    } else if (paused && backlog < options.backlogCap / 2) {
      load.send({ type: "resume" });
      paused = false;
    }
  };
  let stopControl = false;
  const controller = (async () => {
    while (!stopControl) {
      await control();
      await sleep(100);
    }
  })();

  await sleep(options.warmupMs);
  const before = await rig.receivers.snapshot();
  const emittedBefore = load.progress.emitted.reduce((a, b) => a + b, 0);
  const cpu = new CpuWindow({ server: rig.server.pid, receivers: rig.receivers.child.pid!, loadgen: load.child.pid! });
  const t0 = performance.now();
  measuring = true;
  const during = options.during;
  // A failure of `during` is thrown once the load is stopped, so no process is left running.
  const failure: { error?: unknown } = {};
  const extra = during ? sleep(during.afterMs).then(() => during.run()).catch((error: unknown) => void (failure.error = error)) : undefined;
  await Promise.all([sleep(options.measureMs), extra]);
  const after = await rig.receivers.snapshot();
  const emittedAfter = load.progress.emitted.reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - t0) / 1000;
  const cpuCores = cpu.end();
  measuring = false;
  stopControl = true;
  await controller;
  load.send({ type: "stop" });
  const result = await running;
  load.kill();
  const { peakRssMb } = rss.stop();
  if ("error" in failure) throw failure.error;

  const perEndpointPerSec = after.counts.map((n, i) => (n - (before.counts[i] ?? 0)) / seconds);
  const deliveriesPerSec = perEndpointPerSec.filter((_, i) => !hang.has(i)).reduce((a, b) => a + b, 0);
  return {
    deliveriesPerSec,
    perEndpointPerSec,
    emitsPerSec: (emittedAfter - emittedBefore) / seconds,
    minBacklog: Number.isFinite(minBacklog) ? minBacklog : 0,
    cpuCores,
    serverCpuMsPerDelivery: ((cpuCores.server ?? 0) * 1000) / Math.max(1, deliveriesPerSec),
    peakRssMb,
    duplicates: after.duplicates,
    verifyFailures: after.verifyFailures,
    emitErrors: result.errors,
    windowSeconds: seconds,
  };
}
