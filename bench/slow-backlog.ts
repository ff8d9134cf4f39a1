/**
 * Healthy endpoints next to a slow endpoint's backlog (issue 18): 10 endpoints, one customer
 * each; endpoint 10 never answers (the server's 10 s attempt deadline ends its attempts, so it
 * sits at its concurrency limit). With the workers off, `--backlog` deliveries to endpoint 10 are
 * created; then the server restarts with workers on and unary Emits go to the 9 healthy
 * endpoints at `--rate` events/s (the latency scenario: 3 s warm-up, then `--measure-s`). Every
 * claim meanwhile leaves endpoint 10's subscription out while its backlog, older in due order,
 * sits ahead of the healthy deliveries. Prints the healthy endpoints' emit→receipt latency and
 * the processes' CPU (PostgreSQL's too when started here) as one JSON line, with server +
 * PostgreSQL CPU ms per healthy delivery.
 *
 *   npm run build && DATABASE_URL=<admin URL> npx tsx bench/slow-backlog.ts [--backlog=50000] [--rate=200] [--measure-s=15]
 *   npx tsx bench/slow-backlog.ts --store=pglite
 *
 * Without DATABASE_URL on PostgreSQL, a durable throwaway PostgreSQL is started (.ci/start-postgres.sh).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LoadGenerator, ROOT, watchPostgres } from "./processes.js";
import { setupRig } from "./rig.js";
import { runLatency } from "./scenarios/latency.js";
import { sleep } from "./stats.js";
import { providePostgres, type StoreKind } from "./stores.js";

const { values: args } = parseArgs({
  options: {
    backlog: { type: "string", default: "50000" },
    rate: { type: "string", default: "200" },
    "measure-s": { type: "string", default: "15" },
    store: { type: "string", default: "postgres" },
  },
});
const ENDPOINTS = 10;
const SLOW = ENDPOINTS - 1;

const kind = args.store as StoreKind;
const provided = kind === "pglite" ? undefined : providePostgres(false);
const adminUrl = provided?.url;
watchPostgres(provided?.pid); // PostgreSQL's CPU counts too when it was started here
const outDir = join(ROOT, "bench", "results", `slow-backlog-${new Date().toISOString().replace(/[:.]/g, "-")}`);
mkdirSync(outDir, { recursive: true });

const rig = await setupRig({ store: kind, adminUrl, label: "slow-backlog", outDir, endpoints: ENDPOINTS, hang: [SLOW], layout: "per-customer", workers: false });
try {
  const load = new LoadGenerator();
  const fill = await load.run({ type: "fill", address: rig.server.address, customers: [rig.customers[SLOW]!], events: Number(args.backlog), batchSize: 500, concurrency: 2 });
  load.kill();
  if (fill.errors > 0) throw new Error(`fill: ${fill.errors} EmitBatch calls failed: ${fill.firstError}`);
  await rig.restart({ workers: true });
  await sleep(2000); // the slow endpoint's first attempts start: from then on it is at its limit
  // Load on the healthy endpoints only: customers 0..8 are endpoints 0..8.
  const healthy = { ...rig, customers: rig.customers.slice(0, SLOW) };
  const result = await runLatency(healthy, { ratePerSec: Number(args.rate), warmupMs: 3000, measureMs: Number(args["measure-s"]) * 1000, settleMs: 10_000, hang: [SLOW] });
  // Server and PostgreSQL CPU ms per healthy event emitted in the window (each is one delivery).
  const cpuMsPerDelivery = (((result.cpuCores.server ?? 0) + (result.cpuCores.postgres ?? 0)) * Number(args["measure-s"]) * 1000) / result.emitted;
  console.log(JSON.stringify({ store: kind, backlog: Number(args.backlog), fillSeconds: fill.elapsedMs / 1000, cpuMsPerDelivery, ...result }));
} finally {
  await rig.close();
  provided?.stop();
}
