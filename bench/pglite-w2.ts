/**
 * W2 on the embedded store (issue 18): `posthorn serve` on a fresh PGlite folder
 * (`POSTHORN_DATA_DIR`), 1 customer × 10 subscriptions to the receivers, unary Emit at
 * 100 events/s open loop (1,000 deliveries/s) for 30 s after a 3 s warm-up: the peers' W2 shape
 * (/work/shared/bench/peers/README.md) on PGlite, which the peer harness does not run.
 *
 * Prints one JSON line per repetition: emit→receipt p50/p95/p99/max (ms), Emit call latency,
 * missing receipts, CPU seconds per 1,000 deliveries (server, receivers, load generator), the
 * server's RSS when it serves and its VmHWM at the end (MB), the load average.
 *
 *   npx tsx bench/pglite-w2.ts [--reps=N] [--rate=100] [--seconds=30] [--profile=DIR] [--env=K=V ...]
 *
 * A throwaway measuring tool for issue 18's PGlite part; `npm run bench` is the benchmark.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { cpuSeconds, memoryMb } from "./processes.js";
import { setupRig } from "./rig.js";
import { runLatency } from "./scenarios/latency.js";
import { sleep } from "./stats.js";

const args = new Map(process.argv.slice(2).map((a) => [a.replace(/^--/, "").split("=")[0]!, a.slice(a.indexOf("=") + 1)]));
const serverEnv = Object.fromEntries(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith("--env="))
    .map((a) => a.slice("--env=".length).split(/=(.*)/s).slice(0, 2) as [string, string]),
);
const reps = Number(args.get("reps") ?? 1);
const rate = Number(args.get("rate") ?? 100);
const seconds = Number(args.get("seconds") ?? 30);
const profileDir = args.get("profile");
/** The process's read/write system calls so far (/proc/<pid>/io: syscr, syscw), files and sockets alike. */
function syscalls(pid: number): { reads: number; writes: number } {
  const io = readFileSync(`/proc/${pid}/io`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, "m").exec(io)?.[1] ?? Number.NaN);
  return { reads: field("syscr"), writes: field("syscw") };
}
const outDir = join(tmpdir(), `pglite-w2-${process.pid}`);
mkdirSync(outDir, { recursive: true });

for (let rep = 0; rep < reps; rep++) {
  const loadBefore = loadavg()[0]!;
  const rig = await setupRig({
    store: "pglite",
    adminUrl: undefined,
    label: `w2-${rep}`,
    outDir,
    endpoints: 10,
    layout: "fanout",
    serverEnv,
    ...(profileDir ? { cpuProfDir: profileDir } : {}),
  });
  try {
    await sleep(2000);
    const idle = memoryMb(rig.server.pid);
    // Server CPU from before the warm-up to the last receipt (settle up to 60 s), over every
    // delivery received meanwhile: per delivery even when the server falls behind the load.
    const cpuBefore = cpuSeconds(rig.server.pid);
    const ioBefore = syscalls(rig.server.pid);
    const countBefore = (await rig.receivers.snapshot()).counts.reduce((a, b) => a + b, 0);
    const result = await runLatency(rig, { ratePerSec: rate, warmupMs: 3000, measureMs: seconds * 1000, settleMs: 60_000 });
    const serverCpu = cpuSeconds(rig.server.pid) - cpuBefore;
    const ioAfter = syscalls(rig.server.pid);
    const drained = (await rig.receivers.snapshot()).counts.reduce((a, b) => a + b, 0) - countBefore;
    const end = memoryMb(rig.server.pid);
    const window = seconds; // the CpuWindow covers the measured emits
    const perK = (cores: number | undefined) => Number((((cores ?? 0) * window) / (result.received / 1000)).toFixed(3));
    console.log(
      JSON.stringify({
        rep,
        env: serverEnv,
        loadavg: [Number(loadBefore.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
        deliveries: result.received,
        missing: result.missing,
        latencyMs: result.latencyMs,
        emitCallMs: result.emitCallMs,
        serverCpuSPer1kToDrain: Number((serverCpu / (drained / 1000)).toFixed(3)),
        syscallsPerDelivery: {
          reads: Number(((ioAfter.reads - ioBefore.reads) / drained).toFixed(2)),
          writes: Number(((ioAfter.writes - ioBefore.writes) / drained).toFixed(2)),
        },
        cpuSPer1k: { server: perK(result.cpuCores.server), receivers: perK(result.cpuCores.receivers), loadgen: perK(result.cpuCores.loadgen), machine: perK(result.cpuCores.machine) },
        rssMb: { idle: Math.round(idle.rssMb), idlePeak: Math.round(idle.peakMb), end: Math.round(end.rssMb), peak: Math.round(end.peakMb) },
        log: rig.server.logFile,
      }),
    );
  } finally {
    await rig.close();
  }
}
