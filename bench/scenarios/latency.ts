/**
 * Emit→receipt latency at a fixed offered load: unary Emit at `ratePerSec` (open loop: sends
 * follow the schedule whatever the answers), first a warm-up run that is not recorded, then
 * the measured run. Latency = receipt time at the endpoint − the wall clock at the Emit call
 * (carried in `data.sent_at_ms`). Deliveries still missing `settleMs` after the last emit
 * count as `missing` (hanging endpoints excluded).
 */
import { CpuWindow, LoadGenerator } from "../processes.js";
import type { Rig } from "../rig.js";
import { sleep, summarize } from "../stats.js";

export interface LatencyResult {
  ratePerSec: number;
  /** Events emitted in the measured run (all endpoints). */
  emitted: number;
  /** Healthy deliveries received in the window. */
  received: number;
  missing: number;
  /** Emit→receipt, ms, healthy endpoints. */
  latencyMs: { count: number; p50: number; p95: number; p99: number; max: number };
  /** Emit call latency, ms. */
  emitCallMs: { count: number; p50: number; p95: number; p99: number; max: number };
  /** The generator's own worst lateness against its schedule, ms. */
  maxScheduleLagMs: number;
  cpuCores: Record<string, number>;
  emitErrors: number;
}

export async function runLatency(
  rig: Rig,
  options: { ratePerSec: number; warmupMs: number; measureMs: number; settleMs: number; hang?: number[] },
): Promise<LatencyResult> {
  const hang = new Set(options.hang ?? []);
  const load = new LoadGenerator();
  try {
    await load.run({ type: "rate", address: rig.server.address, customers: rig.customers, ratePerSec: options.ratePerSec, durationMs: options.warmupMs });
    await sleep(500);
    const before = await rig.receivers.snapshot();
    await rig.receivers.record(true);
    const cpu = new CpuWindow({ server: rig.server.pid, receivers: rig.receivers.child.pid!, loadgen: load.child.pid! });
    const result = await load.run({ type: "rate", address: rig.server.address, customers: rig.customers, ratePerSec: options.ratePerSec, durationMs: options.measureMs });
    const cpuCores = cpu.end();
    const expected = result.emitted.reduce((sum, n, i) => (hang.has(i) ? sum : sum + n), 0);
    const deadline = performance.now() + options.settleMs;
    let snap = await rig.receivers.snapshot();
    const receivedSince = (s: typeof snap) => s.counts.reduce((sum, n, i) => (hang.has(i) ? sum : sum + n - (before.counts[i] ?? 0)), 0);
    while (receivedSince(snap) < expected && performance.now() < deadline) {
      await sleep(100);
      snap = await rig.receivers.snapshot();
    }
    snap = await rig.receivers.snapshot(true);
    await rig.receivers.record(false);
    const latencies = (snap.latencies ?? []).filter((_, i) => !hang.has(i)).flat();
    return {
      ratePerSec: options.ratePerSec,
      emitted: result.emitted.reduce((a, b) => a + b, 0),
      received: receivedSince(snap),
      missing: Math.max(0, expected - receivedSince(snap)),
      latencyMs: summarize(latencies),
      emitCallMs: result.callMs,
      maxScheduleLagMs: result.maxScheduleLagMs ?? 0,
      cpuCores,
      emitErrors: result.errors,
    };
  } finally {
    load.kill();
  }
}
