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
 * emit,backlog,verifier,loglevel,retention,w1,w2,w3 · --profile[=saturation|emit] (adds a
 * CPU-profiled run) · --server-env=NAME=value · --measure-s=N · --backlog=N · --rate=N ·
 * --retention-attempts=N · --reps=N (W1–W3: median of N runs) · --w1-events=N · --w2-rate=N ·
 * --w2-seconds=N
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
import { runWorkload, summarizeWorkload, type WorkloadName, type WorkloadRun, type WorkloadSummary } from "./scenarios/workloads.js";
import { fmtInt } from "./stats.js";
import { renderTable } from "./table.js";
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
const WORKLOADS: WorkloadName[] = ["w1", "w2", "w3"];
const ALL = ["saturation", "latency", "isolation", "emit", "backlog", "verifier", "loglevel", "retention", ...WORKLOADS];
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
  /** The peers harness's W1–W3 (see bench/scenarios/workloads.ts); its defaults. */
  reps: Number(value("reps") ?? (quick ? 1 : 3)),
  w1Events: Number(value("w1-events") ?? 2000),
  w2Rate: Number(value("w2-rate") ?? 100),
  w2Seconds: Number(value("w2-seconds") ?? 30),
  warmEvents: 50,
  workloadSettleMs: 3000,
  workloadStallMs: 60_000,
  workloadTimeoutMs: 300_000,
};

const TARGETS = {
  e2ePostgresPerSec: 3000,
  p99Ms: 50,
  isolationRateRatio: 0.9,
  backlogPeakRssMb: 300,
  verifierRatio: 0.7,
  retentionRateRatio: 0.95,
  /** Issue 18, on PG durable. */
  w1PerSec: 3000,
  w1CpuPer1k: 0.5,
  w2P50Ms: 5,
  w2P99Ms: 15,
  w2EmitP50Ms: 3,
  w2MachineCpuPer1k: 0.8,
  w3Ratio: 0.9,
  w2PgliteP99Ms: 50,
};

export interface StoreResults {
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
  /** W1–W3: every run (in the order run: reps interleaved w1 w2 w3, w1 w2 w3, …) and the medians. */
  workloads?: {
    runs: WorkloadRun[];
    summary: Partial<Record<WorkloadName, WorkloadSummary>>;
    /** Median W3 healthy deliveries/s ÷ median W1 deliveries/s. */
    w3OverW1?: number;
  };
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

/** Everything a run writes to bench/results/<timestamp>.json. */
export interface BenchResults {
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
}

const results: BenchResults = {
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
      withRig({ ...base, label: "retention", serverEnv: { POSTHORN_PRUNE: "off" } }, (rig) =>
        runRetention(rig, {
          attempts: scale.retentionAttempts,
          days: scale.retentionHistoryDays,
          retentionDays: scale.retentionDays,
          ...sat([]),
          // The first clean window must not include the load generator's start on a busy machine.
          warmupMs: Math.max(scale.warmupMs, 5000),
          pruneAfterMs: scale.pruneAfterMs,
          log,
        }),
      ),
    );
  const workloads = WORKLOADS.filter((w) => only.has(w));
  if (workloads.length > 0) r.workloads = await runWorkloads(r, kind, workloads);
  return r;
}

/**
 * W1–W3 on one store, `scale.reps` times, interleaved (w1 w2 w3, w1 w2 w3, …) so that a change
 * in the machine's load falls on every workload alike; each run on a fresh rig.
 */
async function runWorkloads(r: StoreResults, kind: StoreKind, workloads: WorkloadName[]): Promise<NonNullable<StoreResults["workloads"]>> {
  const runs: WorkloadRun[] = [];
  for (let rep = 1; rep <= scale.reps; rep++) {
    for (const workload of workloads) {
      const run = await step(r, `${kind} ${workload} run ${rep}/${scale.reps}`, () =>
        withRig({ store: kind, endpoints: scale.endpoints, layout: "fanout", label: `${workload}-r${rep}` }, (rig) =>
          runWorkload(rig, {
            workload,
            w1Events: scale.w1Events,
            w2Rate: scale.w2Rate,
            w2Seconds: scale.w2Seconds,
            hang: workload === "w3" ? scale.hang : [],
            warmEvents: scale.warmEvents,
            settleMs: scale.workloadSettleMs,
            stallMs: scale.workloadStallMs,
            timeoutMs: scale.workloadTimeoutMs,
          }),
        ),
      );
      if (!run) continue;
      runs.push(run);
      log(
        `${kind} ${workload}: ${fmtInt(run.receivedDeliveries)}/${fmtInt(run.expectedDeliveries)} in ${run.firstEmitToLastReceiptS} s = ${fmtInt(run.deliveriesPerSec)}/s; ` +
          `p50/p99 ${fmtInt(run.latencyMs.p50)}/${fmtInt(run.latencyMs.p99)} ms; CPU-s/1k server+pg ${run.cpuPer1k.system}, all processes ${run.cpuPer1k.processes}, machine ${run.cpuPer1k.machine}; load ${run.loadAvgBefore[0]?.toFixed(1)}`,
      );
    }
  }
  const summary: Partial<Record<WorkloadName, WorkloadSummary>> = {};
  for (const workload of workloads) {
    const mine = runs.filter((run) => run.workload === workload);
    if (mine.length > 0) summary[workload] = summarizeWorkload(mine);
  }
  const w1 = summary.w1?.deliveriesPerSec;
  const w3 = summary.w3?.deliveriesPerSec;
  return { runs, summary, ...(w1 && w3 ? { w3OverW1: w3 / w1 } : {}) };
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
console.log(renderTable(results));
if (results.profile) console.log(`\nprofile of ${results.profile.scenario} (server, postgres-nosync): ${JSON.stringify(results.profile.result)}\n${formatProfile(results.profile.summary)}`);
console.log(`\nresults: ${file}\nlogs: ${outDir}`);
for (const [kind, r] of Object.entries(results.stores)) for (const [name, error] of Object.entries(r.errors)) console.log(`\n${kind} ${name} failed:\n${error}`);
