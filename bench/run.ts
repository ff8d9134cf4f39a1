/**
 * `npm run bench`: how fast Posthorn moves events from Emit to a verified receipt on this
 * machine (issue 6). Not part of the tests.
 *
 * Every scenario runs on PostgreSQL (DATABASE_URL, else a throwaway one started with
 * `.ci/start-postgres.sh` with durable settings), on a second throwaway PostgreSQL with fsync
 * and synchronous_commit off (`postgres-nosync`, what CI uses; this disk does ~300 fsyncs/s),
 * and on the embedded PGlite, each with a fresh database or data folder. The load generator, `posthorn serve` and the receivers
 * are separate processes on loopback. Prints a table and writes every figure, with the
 * machine's facts, to bench/results/<timestamp>.json. See docs/performance.md.
 *
 * Flags: --quick (≈2 min) · --stores=postgres,pglite · --only=saturation,latency,isolation,
 * emit,backlog,verifier,loglevel,retention · --profile[=saturation|emit] (adds a CPU-profiled run)
 * · --server-env=NAME=value · --measure-s=N · --backlog=N · --rate=N · --retention-attempts=N
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT, watchPostgres } from "./processes.js";
import { formatProfile, summarizeProfile, type ProfileSummary } from "./profile-summary.js";
import { setupRig, type RigOptions } from "./rig.js";
import { runBacklog, type BacklogResult } from "./scenarios/backlog.js";
import { runEmit, type EmitResult } from "./scenarios/emit.js";
import { runLatency, type LatencyResult } from "./scenarios/latency.js";
import { runRetention, type RetentionResult } from "./scenarios/retention.js";
import { runSaturation, type SaturationResult } from "./scenarios/saturation.js";
import { runVerifier, type VerifierResult } from "./scenarios/verifier.js";
import { fmt, fmtInt } from "./stats.js";
import { postgresFacts, providePostgres, type StoreKind } from "./stores.js";

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const quick = flag("quick");
/** `--server-env=NAME=value` (repeatable): extra settings for every server, for experiments. */
const serverEnv = Object.fromEntries(
  argv.filter((a) => a.startsWith("--server-env=")).map((a) => {
    const [name, ...rest] = a.slice("--server-env=".length).split("=");
    return [name!, rest.join("=")];
  }),
);
const stores = (value("stores") ?? "postgres,postgres-nosync,pglite").split(",") as StoreKind[];
const ALL = ["saturation", "latency", "isolation", "emit", "backlog", "verifier", "loglevel", "retention"];
const only = new Set(value("only")?.split(",") ?? ALL);
const measureMs = Number(value("measure-s") ?? (quick ? 6 : 15)) * 1000;
const scale = {
  endpoints: 10,
  hang: [9], // 10 % of the endpoints never answer
  warmupMs: quick ? 2000 : 5000,
  measureMs,
  backlogCap: 5000,
  ratePerSec: Number(value("rate") ?? 500),
  latencyWarmupMs: quick ? 2000 : 3000,
  latencyMeasureMs: quick ? 6000 : Math.min(measureMs, 10_000),
  settleMs: 10_000,
  emitWarmupMs: quick ? 1000 : 2000,
  emitMeasureMs: quick ? 4000 : 10_000,
  emitInFlight: 64,
  batchSize: 100,
  batchConcurrency: 4,
  backlog: Number(value("backlog") ?? (quick ? 20_000 : 100_000)),
  backlogTimeoutMs: quick ? 120_000 : 240_000,
  /** Retention (issue 14): history attempts over `retentionHistoryDays` days, the older half dropped. */
  retentionAttempts: Number(value("retention-attempts") ?? (quick ? 1_000_000 : 10_000_000)),
  retentionHistoryDays: 60,
  retentionDays: 30,
  pruneAfterMs: quick ? 2000 : 3000,
};

const TARGETS = {
  e2ePostgresPerSec: 3000,
  p99Ms: 50,
  isolationRateRatio: 0.9,
  backlogPeakRssMb: 300,
  verifierRatio: 0.7,
  retentionRateRatio: 0.95,
};

interface StoreResults {
  saturation?: SaturationResult;
  latency?: LatencyResult;
  isolation?: {
    saturation: SaturationResult;
    latency: LatencyResult;
    /** Healthy endpoints' deliveries/s while one hangs ÷ the same endpoints' in the clean run. */
    rateRatio: number;
    /** Healthy p99 emit→receipt while one hangs ÷ clean p99. */
    p99Ratio: number;
  };
  emit?: EmitResult;
  backlog?: BacklogResult;
  saturationWarnLog?: SaturationResult;
  retention?: RetentionResult;
  /** Scenarios left out on this store, and why. */
  skipped?: Record<string, string>;
  errors: Record<string, string>;
}

// ---------------------------------------------------------------- run

const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const outDir = join(ROOT, "bench", "results", stamp);
mkdirSync(outDir, { recursive: true });
const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

const postgres = stores.includes("postgres") ? providePostgres(false) : undefined;
const postgresNosync = stores.includes("postgres-nosync") || argv.some((a) => a.startsWith("--profile")) ? providePostgres(true, true) : undefined;
const adminUrl = (kind: StoreKind) => (kind === "postgres" ? postgres?.url : kind === "postgres-nosync" ? postgresNosync?.url : undefined);
const cleanup = () => {
  postgres?.stop();
  postgresNosync?.stop();
};
process.on("SIGINT", () => {
  cleanup();
  process.exit(130);
});

const results: {
  startedAt: string;
  quick: boolean;
  machine: Record<string, unknown>;
  scale: typeof scale;
  targets: typeof TARGETS;
  postgres?: Partial<Record<StoreKind, { startedHere: boolean; settings: Record<string, string> }>>;
  stores: Partial<Record<StoreKind, StoreResults>>;
  verifier?: VerifierResult;
  profile?: { scenario: string; file: string; result: unknown; summary: ProfileSummary };
  finishedAt?: string;
} = {
  startedAt: new Date().toISOString(),
  quick,
  machine: {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadavgAtStart: loadavg(),
  },
  scale,
  targets: TARGETS,
  stores: {},
};

async function step<T>(store: StoreResults, name: string, fn: () => Promise<T>): Promise<T | undefined> {
  log(`${name} …`);
  const started = performance.now();
  try {
    const out = await fn();
    log(`${name} done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return out;
  } catch (error) {
    store.errors[name] = String((error as Error).stack ?? error);
    log(`${name} FAILED: ${(error as Error).message}`);
    return undefined;
  }
}

async function withRig<T>(options: Omit<RigOptions, "adminUrl" | "outDir">, fn: (rig: Awaited<ReturnType<typeof setupRig>>) => Promise<T>): Promise<T> {
  const rig = await setupRig({ ...options, adminUrl: adminUrl(options.store), outDir, serverEnv: { ...serverEnv, ...options.serverEnv } });
  try {
    return await fn(rig);
  } finally {
    await rig.close();
  }
}

async function runStore(kind: StoreKind): Promise<StoreResults> {
  const r: StoreResults = { errors: {} };
  watchPostgres(kind === "postgres" ? postgres?.pid : kind === "postgres-nosync" ? postgresNosync?.pid : undefined);
  const base = { store: kind, endpoints: scale.endpoints, layout: "per-customer" as const };
  const sat = (hang: number[]) => ({ warmupMs: scale.warmupMs, measureMs: scale.measureMs, backlogCap: scale.backlogCap, hang });
  const lat = (hang: number[]) => ({ ratePerSec: scale.ratePerSec, warmupMs: scale.latencyWarmupMs, measureMs: scale.latencyMeasureMs, settleMs: scale.settleMs, hang });

  if (only.has("saturation") || only.has("isolation"))
    r.saturation = await step(r, `${kind} saturation`, () => withRig({ ...base, label: "saturation" }, (rig) => runSaturation(rig, sat([]))));
  if (only.has("latency") || only.has("isolation"))
    r.latency = await step(r, `${kind} latency @${scale.ratePerSec}/s`, () => withRig({ ...base, label: "latency" }, (rig) => runLatency(rig, lat([]))));
  if (only.has("isolation")) {
    const hs = await step(r, `${kind} isolation saturation`, () =>
      withRig({ ...base, label: "isolation-saturation", hang: scale.hang }, (rig) => runSaturation(rig, sat(scale.hang))),
    );
    const hl = await step(r, `${kind} isolation latency`, () =>
      withRig({ ...base, label: "isolation-latency", hang: scale.hang }, (rig) => runLatency(rig, lat(scale.hang))),
    );
    if (hs && hl && r.saturation && r.latency) {
      const healthy = (rates: number[]) => rates.reduce((sum, n, i) => (scale.hang.includes(i) ? sum : sum + n), 0);
      r.isolation = {
        saturation: hs,
        latency: hl,
        rateRatio: healthy(hs.perEndpointPerSec) / healthy(r.saturation.perEndpointPerSec),
        p99Ratio: hl.latencyMs.p99 / r.latency.latencyMs.p99,
      };
    }
  }
  if (only.has("emit"))
    r.emit = await step(r, `${kind} emit`, () =>
      withRig({ ...base, label: "emit", workers: false }, (rig) =>
        runEmit(rig, { warmupMs: scale.emitWarmupMs, measureMs: scale.emitMeasureMs, inFlight: scale.emitInFlight, batchSize: scale.batchSize, concurrency: scale.batchConcurrency }),
      ),
    );
  if (only.has("backlog"))
    r.backlog = await step(r, `${kind} backlog ${scale.backlog}`, () =>
      withRig({ ...base, layout: "fanout", label: "backlog", workers: false }, (rig) => runBacklog(rig, { deliveries: scale.backlog, timeoutMs: scale.backlogTimeoutMs })),
    );
  if (only.has("loglevel") && (kind === "postgres-nosync" || !stores.includes("postgres-nosync")) && kind !== "pglite")
    r.saturationWarnLog = await step(r, `${kind} saturation, log level warn`, () =>
      withRig({ ...base, label: "saturation-warn", logLevel: "warn" }, (rig) => runSaturation(rig, sat([]))),
    );
  if (only.has("retention") && kind !== "postgres") {
    const reason = kind === "pglite" ? "the embedded store is not meant for 10 million attempts" : "PG durable only (the prune's cost is I/O)";
    (r.skipped ??= {}).retention = reason;
    log(`${kind} retention: skipped: ${reason}`);
  } else if (only.has("retention"))
    r.retention = await step(r, `${kind} retention (${fmtInt(scale.retentionAttempts)} attempts)`, () =>
      // The server's own pruner is off, so only the bench's prune (timed) drops partitions.
      withRig({ ...base, label: "retention", serverEnv: {} }, (rig) =>
        runRetention(rig, {
          attempts: scale.retentionAttempts,
          days: scale.retentionHistoryDays,
          retentionDays: scale.retentionDays,
          ...sat([]),
          pruneAfterMs: scale.pruneAfterMs,
          log,
        }),
      ),
    );
  return r;
}

/**
 * `--profile[=saturation|emit]`: the scenario again on postgres-nosync with the server under
 * `node --cpu-prof`; only the measurement window is summarized.
 */
async function profileRun(
  scenario: "saturation" | "emit",
): Promise<{ scenario: string; file: string; result: unknown; summary: ProfileSummary } | undefined> {
  const dir = join(outDir, `profile-${scenario}`);
  mkdirSync(dir, { recursive: true });
  const scratch: StoreResults = { errors: {} };
  watchPostgres(postgresNosync?.pid);
  let skipMs = 0;
  const result = await step(scratch, `postgres-nosync ${scenario} with --cpu-prof`, () =>
    withRig(
      { store: "postgres-nosync", endpoints: scale.endpoints, layout: "per-customer", label: `profile-${scenario}`, cpuProfDir: dir, workers: scenario !== "emit" },
      async (rig) => {
        // Only the measurement window counts: start-up (loading modules, migrations) and warm-up are left out.
        if (scenario === "saturation") {
          skipMs = performance.now() - rig.server.spawnedAt + scale.warmupMs;
          return runSaturation(rig, { warmupMs: scale.warmupMs, measureMs: scale.measureMs, backlogCap: scale.backlogCap });
        }
        skipMs = performance.now() - rig.server.spawnedAt + scale.emitWarmupMs;
        return runEmit(rig, { warmupMs: scale.emitWarmupMs, measureMs: scale.emitMeasureMs, inFlight: scale.emitInFlight, batchSize: scale.batchSize, concurrency: scale.batchConcurrency });
      },
    ),
  );
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) {
    log(`no .cpuprofile written: ${JSON.stringify(scratch.errors)}`);
    return undefined;
  }
  return { scenario, file: join(dir, file), result, summary: summarizeProfile(join(dir, file), 30, skipMs) };
}

try {
  results.postgres = {};
  for (const [kind, pg] of [["postgres", postgres], ["postgres-nosync", postgresNosync]] as const) {
    if (!pg) continue;
    const settings = await postgresFacts(pg.url);
    results.postgres[kind] = { startedHere: pg.started, settings };
    log(`${kind}: PostgreSQL ${settings.server_version} fsync=${settings.fsync} synchronous_commit=${settings.synchronous_commit}`);
  }
  if (only.has("verifier")) {
    log("verifier …");
    results.verifier = await runVerifier();
  }
  for (const kind of stores) results.stores[kind] = await runStore(kind);
  const profile = argv.find((a) => a === "--profile" || a.startsWith("--profile="));
  if (profile && postgresNosync) results.profile = await profileRun(profile === "--profile=emit" ? "emit" : "saturation");
} finally {
  cleanup();
}
results.finishedAt = new Date().toISOString();
const file = join(ROOT, "bench", "results", `${stamp}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(renderTable());
if (results.profile) console.log(`\nprofile of ${results.profile.scenario} (server, postgres-nosync): ${JSON.stringify(results.profile.result)}\n${formatProfile(results.profile.summary)}`);
console.log(`\nresults: ${file}\nlogs: ${outDir}`);
for (const [kind, r] of Object.entries(results.stores)) for (const [name, error] of Object.entries(r.errors)) console.log(`\n${kind} ${name} failed:\n${error}`);

// ---------------------------------------------------------------- table

function renderTable(): string {
  const kinds = (["postgres", "postgres-nosync", "pglite"] as const).filter((k) => results.stores[k]);
  const titles: Record<StoreKind, string> = { postgres: "PG durable", "postgres-nosync": "PG fsync=off", pglite: "PGlite" };
  const rows: string[][] = [];
  /** `check` says per store whether the target is met (undefined: no figure); shown as "PG durable ✓ …". */
  const row = (name: string, get: (r: StoreResults) => string, target = "", check?: (r: StoreResults) => boolean | undefined) => {
    const verdicts = check
      ? kinds
          .map((k) => [k, check(results.stores[k]!)] as const)
          .filter(([, ok]) => ok !== undefined)
          .map(([k, ok]) => `${titles[k]} ${ok ? "met" : "MISSED"}`)
          .join(", ")
      : "";
    rows.push([name, ...kinds.map((k) => get(results.stores[k]!)), target + (verdicts ? `: ${verdicts}` : "")]);
  };
  const T = TARGETS;
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
  row(`  prune of ${scale.retentionDays} days: s (max s/day)`, (r) => (r.retention ? `${fmt(r.retention.prune.seconds, 1)} (${fmt(Math.max(...r.retention.prune.perDaySeconds), 2)})` : "–"), "seconds");
  row("  database GiB before / after prune", (r) => (r.retention ? `${gib(r.retention.size.beforeBytes)} / ${gib(r.retention.size.afterBytes)}` : "–"));
  row("  share fallen / dropped partitions' share", (r) => (r.retention ? `${fmt(r.retention.size.fallShare * 100)}% / ${fmt(r.retention.size.expectedShare * 100)}%` : "–"), "equal: no bloat");
  row("  MB grown meanwhile: kept tables / catalogs / residue", (r) => (r.retention ? [r.retention.size.keptGrowthBytes, r.retention.size.catalogGrowthBytes, r.retention.size.residueBytes].map((b) => fmt(b / 2 ** 20)).join(" / ") : "–"), "residue ≈ 0");
  row("Log level warn: deliveries/s (CPU ms/dlv)", (r) => (r.saturationWarnLog ? `${fmtInt(r.saturationWarnLog.deliveriesPerSec)} (${fmt(r.saturationWarnLog.serverCpuMsPerDelivery, 3)})` : "–"));

  const first = 44;
  const col = 20;
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(first) : i <= kinds.length ? c.padStart(col) : `  ${c}`)).join("");
  const out = [line(["scenario", ...kinds.map((k) => titles[k]), "target"]), "-".repeat(first + col * kinds.length + 40), ...rows.map(line)];
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
