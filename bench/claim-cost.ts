/**
 * Claim cost next to the backlog of a saturated endpoint (issue 18): seeds a database with day
 * partitions, many subscriptions (most idle, some with retries not due yet), due deliveries of 9
 * healthy subscriptions and a backlog of `--backlog` due deliveries of one slow subscription,
 * older than the healthy ones (ahead in due order); then times `claimDeliveries` with the slow
 * subscription in the skip list (what the engine passes while that endpoint is at its limit).
 *
 *   DATABASE_URL=… npx tsx bench/claim-cost.ts --backlog=0,50000,200000 [--days=41] [--subscriptions=1200] [--runs=100] [--limit=56]
 *   npx tsx bench/claim-cost.ts --backlog=50000            # PGlite in a fresh temporary folder
 *
 * Every backlog size gets a fresh database (PostgreSQL: `CREATE DATABASE` next to DATABASE_URL's,
 * one connection). After 10 claims of warm-up, each run claims `--limit` (timed) and checks that
 * nothing of the slow subscription was claimed and that the claim was full; the claims are back to
 * back, each taking the next healthy ones. Prints one JSON line per backlog size: claim wall time
 * median / p90 / max in ms, and the database's CPU ms per claim (steadier on a loaded machine).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import pg from "pg";
import { openStore, type Store } from "../server/src/store/database.js";
import { migrate } from "../server/src/store/migrate.js";
import { ensurePartitions, PARTITION_MS } from "../server/src/store/partitions.js";
import { claimDeliveries } from "../server/src/store/sql/claim-deliveries.js";

const { values: args } = parseArgs({
  options: {
    backlog: { type: "string", default: "0,50000,200000" },
    days: { type: "string", default: "41" },
    subscriptions: { type: "string", default: "1200" },
    runs: { type: "string", default: "100" },
    limit: { type: "string", default: "56" },
    /** Keep the seeded PostgreSQL database (claim_cost_<backlog>) for EXPLAIN; no runs. */
    keep: { type: "boolean", default: false },
  },
});

const HEALTHY = 9;
const HEALTHY_DUE_EACH = 1000;
/** Claims before the measured ones (not measured). */
const WARM_UP = 10;
/** Idle subscriptions with retries scheduled later (a failing endpoint's), and how many each. */
const RETRYING_SHARE = 0.25;
const RETRIES_EACH = 2;

interface Opened {
  store: Store;
  /** Closes the store and drops the database (PostgreSQL) or folder (PGlite). */
  dispose(): Promise<void>;
  /** Closes the store and keeps the database (`--keep`). */
  keep(): Promise<void>;
}

/** A fresh database: PostgreSQL next to DATABASE_URL's, else PGlite in a temporary folder. */
async function freshStore(name: string): Promise<Opened> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), "posthorn-claim-cost-"));
    const store = await openStore({ dataDir: dir });
    return { store, dispose: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })), keep: () => store.close() };
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  // One connection: every claim runs on the backend whose CPU time is read.
  const store = await openStore({ databaseUrl: dbUrl.toString(), dataDir: "", poolSize: 1 });
  return {
    store,
    dispose: async () => {
      await store.close();
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    },
    // The admin connection too: left open, it kept the process from ending.
    keep: async () => (await store.close(), await admin.end()),
  };
}

/** Seeds the world described at the top; `now` is the claim's time. */
async function seed(store: Store, now: number, backlog: number, days: number, subscriptions: number): Promise<void> {
  const db = store.db;
  await ensurePartitions(db, now - (days - 8) * PARTITION_MS, now + 7 * PARTITION_MS);
  const nowTs = new Date(now);
  await sql`
    INSERT INTO subscriptions (id, customer_id, endpoint_url, event_types, enabled, description, signature_scheme, secrets, disabled_reason, created_at, updated_at)
    SELECT 'sub_' || lpad(i::text, 6, '0'), 'cus_' || i, 'http://127.0.0.1:' || (20000 + i) || '/hook', '{}', true, '', 'v1', '[]', '', ${nowTs}, ${nowTs}
    FROM generate_series(0, ${subscriptions - 1}) AS i`.execute(db);
  // Deliveries, one event each: (subscription index, count, created_at spread back from now, due spread).
  const fill = async (sub: string, count: number, createdBackMs: number, dueFromMs: number, dueToMs: number, state = "pending") => {
    if (count === 0) return;
    await sql`
      WITH rows AS (
        SELECT i, ${sub}::text AS sub,
               ${new Date(now)}::timestamptz - (i::double precision / ${count}) * (${createdBackMs}::double precision * interval '1 millisecond') AS created_at,
               ${new Date(now)}::timestamptz + (${dueFromMs}::double precision + (${dueToMs - dueFromMs}::double precision * i / ${count})) * interval '1 millisecond' AS due
        FROM generate_series(1, ${count}) AS i
      ), ev AS (
        INSERT INTO events (id, customer_id, type, envelope, created_at)
        SELECT 'evt_' || sub || '_' || i, 'cus_x', 'lead.created', convert_to('{"id":"evt"}', 'UTF8'), created_at FROM rows
      )
      INSERT INTO deliveries (id, event_id, subscription_id, customer_id, event_type, endpoint_url, state, attempt_count, next_attempt_at, final_reason, created_at, updated_at)
      SELECT 'dlv_' || sub || '_' || i, 'evt_' || sub || '_' || i, sub, 'cus_x', 'lead.created', 'http://x/hook', ${state},
             CASE WHEN ${state} = 'pending' THEN 0 ELSE 1 END, CASE WHEN ${state} = 'pending' THEN due END, '', created_at, created_at
      FROM rows`.execute(db);
  };
  const id = (i: number) => `sub_${String(i).padStart(6, "0")}`;
  // The slow endpoint's backlog: created over the last 2 days, due over the last hour (ahead of the healthy ones).
  await fill(id(0), backlog, 2 * PARTITION_MS, -3_600_000, -60_000);
  for (let h = 1; h <= HEALTHY; h++) await fill(id(h), HEALTHY_DUE_EACH, 3_600_000, -30_000, -1000);
  const retrying = Math.floor((subscriptions - HEALTHY - 1) * RETRYING_SHARE);
  for (let r = 0; r < retrying; r++) await fill(id(HEALTHY + 1 + r), RETRIES_EACH, 30 * 3_600_000, 60_000, 86_400_000);
  // History: ended deliveries in every past day's partition.
  await fill(id(1), (days - 8) * 2000, (days - 9) * PARTITION_MS, 0, 0, "succeeded");
  await sql`ANALYZE`.execute(db);
}

/**
 * CPU time used so far, ms: on PostgreSQL the pool's one backend (from /proc: the bench runs on
 * the database's machine; 10 ms ticks, so only totals over many claims mean anything), on PGlite
 * this process.
 */
async function databaseCpuMs(store: Store): Promise<number> {
  if (store.kind === "pglite") {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
  const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(store.db);
  const fields = readFileSync(`/proc/${rows[0]!.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of stat(5); here counted from field 3 (state) = index 0.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** Linux USER_HZ (getconf CLK_TCK): 100 on every common configuration. */
const TICKS_PER_SECOND = 100;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function measure(backlog: number): Promise<void> {
  const days = Number(args.days);
  const subscriptions = Number(args.subscriptions);
  const runs = Number(args.runs);
  const limit = Number(args.limit);
  const opened = await freshStore(`claim_cost_${backlog}`);
  const { store } = opened;
  try {
    await migrate(store);
    const now = Date.now();
    const seedStart = performance.now();
    await seed(store, now, backlog, days, subscriptions);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    if (args.keep) return void console.log(`kept claim_cost_${backlog} (now = ${new Date(now).toISOString()})`);
    const skip = ["sub_000000"];
    const claimOnce = async () => {
      const start = performance.now();
      const claimed = await claimDeliveries(store, "bench", limit, new Date(now), 60_000, skip);
      const ms = performance.now() - start;
      if (claimed.some((d) => skip.includes(d.subscription_id))) throw new Error("claimed a delivery of a skipped subscription");
      if (claimed.length !== limit) throw new Error(`claimed ${claimed.length} of ${limit}`);
      return ms;
    };
    // Warm-up: each connection plans the claim, and keeps a generic plan after five runs.
    for (let run = 0; run < WARM_UP; run++) await claimOnce();
    // Each claim takes the next `limit` healthy ones (nothing given back), so the runs are back to back.
    const cpuBefore = await databaseCpuMs(store);
    const times: number[] = [];
    for (let run = 0; run < runs; run++) times.push(await claimOnce());
    const cpuMs = (await databaseCpuMs(store)) - cpuBefore;
    const warm = times.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 100) / 100;
    console.log(
      JSON.stringify({
        store: store.kind,
        backlog,
        days,
        subscriptions,
        limit,
        runs: warm.length,
        seedSeconds: Math.round(seedSeconds),
        claimMs: { median: round(quantile(warm, 0.5)), p90: round(quantile(warm, 0.9)), max: round(warm.at(-1)!) },
        // CPU of the database per claim (PostgreSQL: the backend's; PGlite: this whole process).
        databaseCpuMsPerClaim: round(cpuMs / runs),
      }),
    );
  } finally {
    if (args.keep) await opened.keep();
    else await opened.dispose();
  }
}

for (const backlog of args.backlog.split(",").map(Number)) await measure(backlog);
