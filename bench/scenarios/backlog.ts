/**
 * Backlog drain: with the workers off, `deliveries` pending deliveries are created (one
 * customer, N subscriptions, so each event makes N deliveries; EmitBatch of 500), then the
 * server is restarted with workers on and drains them. Reports the time from "serving" to the
 * last receipt, the rate, the server's RSS over time (sampled every 250 ms) and its peak.
 */
import { CpuWindow, LoadGenerator, RssSampler } from "../processes.js";
import type { Rig } from "../rig.js";
import { sleep } from "../stats.js";

export interface BacklogResult {
  deliveries: number;
  fillSeconds: number;
  /** From the restarted server serving to the last receipt. */
  drainSeconds: number;
  deliveriesPerSec: number;
  received: number;
  peakRssMb: number;
  /** [seconds since restart, RSS MB], thinned to at most 60 points. */
  rssSeries: [number, number][];
  serverCores: number;
  duplicates: number;
  timedOut: boolean;
}

export async function runBacklog(rig: Rig, options: { deliveries: number; timeoutMs: number }): Promise<BacklogResult> {
  const endpoints = rig.receivers.ports.length;
  const events = Math.ceil(options.deliveries / endpoints);
  const load = new LoadGenerator();
  const fill = await load.run({ type: "fill", address: rig.server.address, customers: rig.customers, events, batchSize: 500, concurrency: 2 });
  load.kill();
  if (fill.errors > 0) throw new Error(`backlog fill: ${fill.errors} EmitBatch calls failed: ${fill.firstError}`);
  const target = events * endpoints;

  const server = await rig.restart({ workers: true });
  const rss = new RssSampler(server.pid);
  const cpu = new CpuWindow({ server: server.pid });
  const deadline = performance.now() + options.timeoutMs;
  let snap = await rig.receivers.snapshot();
  const total = () => snap.counts.reduce((a, b) => a + b, 0);
  while (total() < target && performance.now() < deadline) {
    await sleep(100);
    snap = await rig.receivers.snapshot();
  }
  const serverCores = cpu.end().server ?? 0;
  const { peakRssMb, series } = rss.stop();
  const drainSeconds = (snap.lastReceiptMs - (performance.timeOrigin + server.readyAt)) / 1000;
  const step = Math.max(1, Math.ceil(series.length / 60));
  return {
    deliveries: target,
    fillSeconds: fill.elapsedMs / 1000,
    drainSeconds,
    deliveriesPerSec: total() / drainSeconds,
    received: total(),
    peakRssMb,
    rssSeries: series.filter((_, i) => i % step === 0).map(([t, mb]) => [Math.round(t * 10) / 10, Math.round(mb)]),
    serverCores,
    duplicates: snap.duplicates,
    timedOut: total() < target,
  };
}
