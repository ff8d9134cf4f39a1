/**
 * Emit throughput with the delivery workers off (POSTHORN_WORKERS=false), so only the API and
 * the store are measured: unary Emit with `inFlight` calls outstanding (closed loop), then
 * EmitBatch of `batchSize` with `concurrency` calls in flight. Each event makes one delivery
 * (per-customer layout), and the SDK gives each event an idempotency key, as it does for callers.
 */
import { CpuWindow, LoadGenerator } from "../processes.js";
import type { Rig } from "../rig.js";

export interface EmitResult {
  unary: { inFlight: number; callsPerSec: number; callMs: { p50: number; p99: number }; errors: number; serverCores: number };
  batch: { batchSize: number; concurrency: number; eventsPerSec: number; callMs: { p50: number; p99: number }; errors: number; serverCores: number };
}

export async function runEmit(
  rig: Rig,
  options: { warmupMs: number; measureMs: number; inFlight: number; batchSize: number; concurrency: number },
): Promise<EmitResult> {
  const load = new LoadGenerator();
  try {
    const { address } = rig.server;
    const customers = rig.customers;
    await load.run({ type: "unary", address, customers, inFlight: options.inFlight, durationMs: options.warmupMs });
    let cpu = new CpuWindow({ server: rig.server.pid });
    const unary = await load.run({ type: "unary", address, customers, inFlight: options.inFlight, durationMs: options.measureMs });
    const unaryCores = cpu.end().server ?? 0;
    await load.run({ type: "batch", address, customers, batchSize: options.batchSize, concurrency: options.concurrency, durationMs: options.warmupMs / 2 });
    cpu = new CpuWindow({ server: rig.server.pid });
    const batch = await load.run({ type: "batch", address, customers, batchSize: options.batchSize, concurrency: options.concurrency, durationMs: options.measureMs });
    const batchCores = cpu.end().server ?? 0;
    const events = (r: typeof batch) => r.emitted.reduce((a, b) => a + b, 0);
    return {
      unary: {
        inFlight: options.inFlight,
        callsPerSec: unary.calls / (unary.elapsedMs / 1000),
        callMs: { p50: unary.callMs.p50, p99: unary.callMs.p99 },
        errors: unary.errors,
        serverCores: unaryCores,
      },
      batch: {
        batchSize: options.batchSize,
        concurrency: options.concurrency,
        eventsPerSec: events(batch) / (batch.elapsedMs / 1000),
        callMs: { p50: batch.callMs.p50, p99: batch.callMs.p99 },
        errors: batch.errors,
        serverCores: batchCores,
      },
    };
  } finally {
    load.kill();
  }
}
