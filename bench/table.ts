/**
 * The table `npm run bench` prints: one row per figure, one column per store, and the target
 * with a verdict per store.
 */
import type { BenchResults, StoreResults } from "./run.js";
import type { RetentionResult } from "./scenarios/retention.js";
import type { StoreKind } from "./stores.js";
import { fmt, fmtInt } from "./stats.js";
import type { WorkloadName, WorkloadSummary } from "./scenarios/workloads.js";

export function renderTable(results: BenchResults): string {
  const { scale, targets: T } = results;
  const kinds = (["postgres", "postgres-nosync", "pglite"] as const).filter((k) => results.stores[k]);
  const titles: Record<StoreKind, string> = { postgres: "PG durable", "postgres-nosync": "PG fsync=off", pglite: "PGlite" };
  const rows: string[][] = [];
  /** `check` says per store whether the target is met (undefined: no figure); shown as "PG durable ✓ …". */
  const row = (name: string, get: (r: StoreResults) => string, target = "", check?: (r: StoreResults, kind: StoreKind) => boolean | undefined) => {
    const verdicts = check
      ? kinds
          .map((k) => [k, check(results.stores[k]!, k)] as const)
          .filter(([, ok]) => ok !== undefined)
          .map(([k, ok]) => `${titles[k]} ${ok ? "met" : "MISSED"}`)
          .join(", ")
      : "";
    const cells = kinds.map((k) => get(results.stores[k]!));
    // A scenario left out (`--only`) on every store leaves no row.
    if (cells.every((c) => c === "–")) return;
    rows.push([name, ...cells, target + (verdicts ? `: ${verdicts}` : "")]);
  };
  row("E2E deliveries/s at saturation (10 subs)", (r) => fmtInt(r.saturation?.deliveriesPerSec), `≥ ${T.e2ePostgresPerSec}`, (r) => (r.saturation ? r.saturation.deliveriesPerSec >= T.e2ePostgresPerSec : undefined));
  row("  events accepted/s meanwhile", (r) => fmtInt(r.saturation?.emitsPerSec));
  row("  min backlog in window (0 = load-limited)", (r) => fmtInt(r.saturation?.minBacklog));
  row("  server CPU, cores", (r) => fmt(r.saturation?.cpuCores.server, 2));
  row("  server CPU ms per delivery", (r) => fmt(r.saturation?.serverCpuMsPerDelivery, 3));
  row("  PostgreSQL CPU, cores", (r) => fmt(r.saturation?.cpuCores.postgres, 2));
  row("  receivers / load gen CPU, cores", (r) => (r.saturation ? `${fmt(r.saturation.cpuCores.receivers, 2)} / ${fmt(r.saturation.cpuCores.loadgen, 2)}` : "–"));
  row("  machine busy, cores (load avg 1 min)", (r) => (r.saturation ? `${fmt(r.saturation.cpuCores.machine, 2)} (${fmt(r.saturation.cpuCores.loadavg1, 1)})` : "–"));
  row("  server peak RSS, MB", (r) => fmtInt(r.saturation?.peakRssMb));
  row(`Latency @${scale.ratePerSec} ev/s p50/p95/p99 ms`, (r) => (r.latency ? `${fmt(r.latency.latencyMs.p50)}/${fmt(r.latency.latencyMs.p95)}/${fmt(r.latency.latencyMs.p99)}` : "–"), `p99 ≤ ${T.p99Ms}`, (r) => (r.latency ? r.latency.latencyMs.p99 <= T.p99Ms && r.latency.missing === 0 : undefined));
  row("  max ms / missing", (r) => (r.latency ? `${fmt(r.latency.latencyMs.max)} / ${r.latency.missing}` : "–"));
  row("  Emit call p50 / p99, ms", (r) => (r.latency ? `${fmt(r.latency.emitCallMs.p50)} / ${fmt(r.latency.emitCallMs.p99)}` : "–"));
  row("  server CPU, cores", (r) => fmt(r.latency?.cpuCores.server, 2));
  row("Isolation (1 of 10 hangs): healthy rate ratio", (r) => fmt(r.isolation?.rateRatio, 2), `≥ ${T.isolationRateRatio}`, (r) => (r.isolation ? r.isolation.rateRatio >= T.isolationRateRatio : undefined));
  row("  healthy deliveries/s", (r) => fmtInt(r.isolation?.saturation.deliveriesPerSec));
  row("  healthy p99 ratio (p99 ms)", (r) => (r.isolation ? `${fmt(r.isolation.p99Ratio, 2)} (${fmt(r.isolation.latency.latencyMs.p99)})` : "–"));
  row(`Emit unary calls/s (${scale.emitInFlight} in flight)`, (r) => fmtInt(r.emit?.unary.callsPerSec));
  row(`EmitBatch events/s (${scale.batchSize}/call, ${scale.batchConcurrency} in flight)`, (r) => fmtInt(r.emit?.batch.eventsPerSec));
  row(`Backlog ${fmtInt(scale.backlog)}: drain time, s`, (r) => (r.backlog ? fmt(r.backlog.drainSeconds) + (r.backlog.timedOut ? " (timeout)" : "") : "–"));
  row("  drain deliveries/s", (r) => fmtInt(r.backlog?.deliveriesPerSec));
  row("  server peak RSS, MB", (r) => fmtInt(r.backlog?.peakRssMb), `≤ ${T.backlogPeakRssMb}`, (r) => (r.backlog ? r.backlog.peakRssMb <= T.backlogPeakRssMb : undefined));
  const gib = (bytes: number | undefined) => (bytes === undefined ? "–" : (bytes / 2 ** 30).toFixed(2));
  row(`Retention: ${fmtInt(scale.retentionAttempts)} attempts, load / VACUUM s`, (r) => (r.retention ? `${fmt(r.retention.load.loadSeconds, 0)} / ${fmt(r.retention.load.vacuumSeconds, 0)}` : "–"));
  row("  rate while pruning ÷ clean (window)", (r) => fmt(r.retention?.rateRatio, 2), `≥ ${T.retentionRateRatio}`, (r) => (r.retention ? r.retention.rateRatio >= T.retentionRateRatio : undefined));
  row("  deliveries/s clean / pruning / prune span", (r) => (r.retention ? `${r.retention.clean.map((c) => fmtInt(c.deliveriesPerSec)).join("·")} / ${fmtInt(r.retention.pruning.deliveriesPerSec)} / ${fmtInt(r.retention.pruneSpanPerSec)}` : "–"));
  const notDropped = (r: RetentionResult) => Object.entries(r.prune.outcomes).filter(([kind]) => kind !== "dropped").map(([kind, n]) => ` ${n} ${kind}`).join("");
  row("  prune: days, s (max s/day)", (r) => (r.retention ? `${r.retention.prune.days}, ${fmt(r.retention.prune.seconds, 1)} (${fmt(Math.max(...r.retention.prune.perDaySeconds), 2)})${notDropped(r.retention)}` : "–"), "seconds");
  row("  database GiB before / after prune", (r) => (r.retention ? `${gib(r.retention.size.beforeBytes)} / ${gib(r.retention.size.afterBytes)}` : "–"));
  row("  share fallen / dropped partitions' share", (r) => (r.retention ? `${fmt(r.retention.size.fallShare * 100)}% / ${fmt(r.retention.size.expectedShare * 100)}%` : "–"), "equal: no bloat");
  row("  MB grown meanwhile: kept tables / catalogs / residue", (r) => (r.retention ? [r.retention.size.keptGrowthBytes, r.retention.size.catalogGrowthBytes, r.retention.size.residueBytes].map((b) => fmt(b / 2 ** 20)).join(" / ") : "–"), "residue ≈ 0");
  row("Log level warn: deliveries/s (CPU ms/dlv)", (r) => (r.saturationWarnLog ? `${fmtInt(r.saturationWarnLog.deliveriesPerSec)} (${fmt(r.saturationWarnLog.serverCpuMsPerDelivery, 3)})` : "–"));
  workloadRows(results, row);

  const first = 44;
  const col = 24;
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(first) : i <= kinds.length ? c.padStart(col) : `  ${c}`)).join("");
  const out = [line(["scenario", ...kinds.map((k) => titles[k]), "target"]), "-".repeat(first + col * kinds.length + 40), ...rows.map(line)];
  if (kinds.some((k) => results.stores[k]!.workloads)) {
    out.push(
      `W1/W3: ${fmtInt(scale.w1Events)} events × 10 endpoints (EmitBatch, 100 a call, 4 in flight); W2: ${scale.w2Rate} unary Emit/s × 10 endpoints for ${scale.w2Seconds} s; ` +
        `median of ${scale.reps} runs. CPU-s/1k: per 1,000 deliveries, first emit → last receipt + ${scale.workloadSettleMs / 1000} s; ` +
        "all processes = server + PG + receivers + load generator (/proc/<pid>/stat); machine = /proc/stat, neighbours included.",
    );
  }
  if (results.verifier) {
    const v = results.verifier;
    out.push(`Verifier: ${fmtInt(v.verifyPerSec)} verify/s, bare HMAC ${fmtInt(v.bareHmacPerSec)}/s, ratio ${fmt(v.ratio, 2)} (target ≥ ${T.verifierRatio}: ${v.ratio >= T.verifierRatio ? "met" : "MISSED"})`);
  }
  out.push(`machine: ${String(results.machine.cores)} cores (${String(results.machine.cpuModel)}), node ${process.version}, load average at start ${(results.machine.loadavgAtStart as number[]).map((n) => n.toFixed(1)).join(" ")}`);
  for (const [kind, pg] of Object.entries(results.postgres ?? {})) {
    const s = pg.settings;
    out.push(`${kind}: PostgreSQL ${s.server_version}, fsync=${s.fsync} synchronous_commit=${s.synchronous_commit} full_page_writes=${s.full_page_writes} shared_buffers=${s.shared_buffers}`);
  }
  return out.join("\n");
}

type Row = (name: string, get: (r: StoreResults) => string, target?: string, check?: (r: StoreResults, kind: StoreKind) => boolean | undefined) => void;

/**
 * The rows of W1–W3 (issue 18; the peers harness's shape): medians over `--reps` runs. Targets
 * are the issue's, on PG durable (W2 p99 on PGlite too). "all processes" = server + PostgreSQL +
 * receivers + load generator (/proc/<pid>/stat); "machine" = the whole machine's busy time from
 * /proc/stat over the same window, other people's load included.
 */
function workloadRows(results: BenchResults, row: Row): void {
  const { scale, targets: T } = results;
  const w = (r: StoreResults, name: WorkloadName): WorkloadSummary | undefined => r.workloads?.summary[name];
  const onPg = (kind: StoreKind, ok: () => boolean | undefined) => (kind === "postgres" ? ok() : undefined);
  const cpu = (s: WorkloadSummary | undefined) => (s ? `${fmt(s.cpuPer1k.system, 3)} (${fmt(s.cpuPer1k.server, 3)} + ${fmt(s.cpuPer1k.postgres, 3)})` : "–");
  const cpuAll = (s: WorkloadSummary | undefined) => (s ? `${fmt(s.cpuPer1k.processes, 3)} | ${fmt(s.cpuPer1k.machine, 3)}` : "–");
  const health = (s: WorkloadSummary | undefined) => (s ? `${s.complete}/${s.runs}; ${s.missing} / ${s.duplicates} / ${s.verifyFailures}; ${s.emitErrors}` : "–");
  const reps = `median of ${scale.reps}`;
  /** Milliseconds: one decimal below 100, else whole and grouped. */
  const ms = (value: number) => (value < 100 ? fmt(value) : fmtInt(value));

  row(`W1 saturation: deliveries/s (${reps})`, (r) => fmtInt(w(r, "w1")?.deliveriesPerSec), `≥ ${T.w1PerSec} (PG durable)`, (r, k) =>
    onPg(k, () => (w(r, "w1") ? w(r, "w1")!.deliveriesPerSec >= T.w1PerSec : undefined)),
  );
  row("  emit accepted, events/s", (r) => fmtInt(w(r, "w1")?.emitAcceptPerSec));
  row("  CPU-s/1k server+PG (server + PG)", (r) => cpu(w(r, "w1")), `≤ ${T.w1CpuPer1k} (PG durable)`, (r, k) =>
    onPg(k, () => (w(r, "w1") ? w(r, "w1")!.cpuPer1k.system <= T.w1CpuPer1k : undefined)),
  );
  row("  CPU-s/1k all processes | machine", (r) => cpuAll(w(r, "w1")));
  row("  emit→receipt p50 / p99, ms", (r) => (w(r, "w1") ? `${fmtInt(w(r, "w1")!.latencyMs.p50)} / ${fmtInt(w(r, "w1")!.latencyMs.p99)}` : "–"));
  row("  server peak RSS, MB; load avg before", (r) => (w(r, "w1") ? `${fmtInt(w(r, "w1")!.peakRssMb)}; ${fmt(w(r, "w1")!.loadAvgBefore, 1)}` : "–"));
  row("  complete runs; missing/dup/bad sig; emit errors", (r) => health(w(r, "w1")));

  row(`W2 ${scale.w2Rate} ev/s open loop: p50/p95/p99 ms`, (r) => {
    const s = w(r, "w2");
    return s ? `${ms(s.latencyMs.p50)}/${ms(s.latencyMs.p95)}/${ms(s.latencyMs.p99)}` : "–";
  }, `p50 ≤ ${T.w2P50Ms}, p99 ≤ ${T.w2P99Ms} (PG durable); p99 ≤ ${T.w2PgliteP99Ms} (PGlite)`, (r, k) => {
    const s = w(r, "w2");
    if (!s) return undefined;
    if (k === "postgres") return s.latencyMs.p50 <= T.w2P50Ms && s.latencyMs.p99 <= T.w2P99Ms && s.missing === 0;
    return k === "pglite" ? s.latencyMs.p99 <= T.w2PgliteP99Ms && s.missing === 0 : undefined;
  });
  row("  max ms; drain after last emit, s", (r) => (w(r, "w2") ? `${fmtInt(w(r, "w2")!.latencyMs.max)}; ${fmt(w(r, "w2")!.drainAfterLastEmitS, 2)}` : "–"));
  row("  Emit call p50 / p99, ms", (r) => (w(r, "w2") ? `${ms(w(r, "w2")!.emitCallMs.p50)} / ${ms(w(r, "w2")!.emitCallMs.p99)}` : "–"), `p50 ≤ ${T.w2EmitP50Ms} (PG durable)`, (r, k) =>
    onPg(k, () => (w(r, "w2") ? w(r, "w2")!.emitCallMs.p50 <= T.w2EmitP50Ms : undefined)),
  );
  // The "whole-machine CPU" is the peers harness's system total: the system under test (server + PostgreSQL).
  row("  CPU-s/1k server+PG (server + PG)", (r) => cpu(w(r, "w2")), `≤ ${T.w2MachineCpuPer1k} (PG durable)`, (r, k) =>
    onPg(k, () => (w(r, "w2") ? w(r, "w2")!.cpuPer1k.system <= T.w2MachineCpuPer1k : undefined)),
  );
  row("  CPU-s/1k all processes | machine", (r) => cpuAll(w(r, "w2")));
  row("  server peak RSS, MB; load avg before", (r) => (w(r, "w2") ? `${fmtInt(w(r, "w2")!.peakRssMb)}; ${fmt(w(r, "w2")!.loadAvgBefore, 1)}` : "–"));
  row("  complete runs; missing/dup/bad sig; emit errors", (r) => health(w(r, "w2")));

  row("W3 = W1, 1 of 10 hangs: healthy dlv/s", (r) => fmtInt(w(r, "w3")?.deliveriesPerSec));
  row("  ÷ W1 deliveries/s (medians)", (r) => fmt(r.workloads?.w3OverW1, 2), `≥ ${T.w3Ratio}`, (r, k) =>
    onPg(k, () => (r.workloads?.w3OverW1 !== undefined ? r.workloads.w3OverW1 >= T.w3Ratio : undefined)),
  );
  row("  CPU-s/1k server+PG (server + PG)", (r) => cpu(w(r, "w3")));
  row("  CPU-s/1k all processes | machine", (r) => cpuAll(w(r, "w3")));
  row("  complete runs; missing/dup/bad sig; emit errors", (r) => health(w(r, "w3")));
}
