/**
 * The benchmark's processes: `posthorn serve` spawned the way an operator runs it, the
 * receivers and the load generator forked with IPC, and readings of their CPU time and memory
 * from /proc (Linux).
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateApiKey } from "../server/src/domain/api-key.js";
import { createWebhookClient } from "@posthorn/sdk";
import type { LoadCommand, LoadReply, LoadResult } from "./load-generator.js";
import type { ReceiverCommand, ReceiverReply, ReceiverSnapshot } from "./receivers-process.js";
import { sleep } from "./stats.js";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux

// ---------------------------------------------------------------- /proc readings

/** CPU seconds (user + system) the process has used. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set size now and its peak (VmHWM), in MB. */
export function memoryMb(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

/** Whole-machine CPU: busy and total jiffies since boot (all cores). */
export function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * CPU seconds (user + system) used so far by `root` and every live descendant, each with the
 * CPU of its reaped children (`cutime`, `cstime`), so a PostgreSQL backend that exits inside a
 * window still counts (through the postmaster). The peers harness's `treeCpu`, same fields.
 */
export function treeCpuSeconds(root: number): number {
  const children = new Map<number, number[]>();
  const stats = new Map<number, string[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(entry), fields);
      const parent = Number(fields[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    const fields = stats.get(pid);
    // utime, stime, cutime, cstime are fields 14–17.
    if (fields) total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLK_TCK;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/**
 * CPU seconds over a window, per named process tree ({@link treeCpuSeconds}), plus the whole
 * machine's busy seconds from /proc/stat (`machine`: every process, other people's included).
 * Unlike {@link CpuWindow} (cores), this gives seconds, for "CPU seconds per 1,000 deliveries".
 */
export class CpuSecondsWindow {
  private readonly start: Map<string, number>;
  private readonly startMachine = machineJiffies();
  readonly startMs = performance.now();
  constructor(private readonly roots: Record<string, number>) {
    this.start = new Map(Object.entries(roots).map(([name, pid]) => [name, treeCpuSeconds(pid)]));
  }
  /** Seconds used since the start per name, `machine` (busy seconds, all cores) and `windowS`. */
  read(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.roots)) out[name] = treeCpuSeconds(pid) - this.start.get(name)!;
    out.machine = (machineJiffies().busy - this.startMachine.busy) / CLK_TCK;
    out.windowS = (performance.now() - this.startMs) / 1000;
    return out;
  }
}

/** The PostgreSQL whose processes count as `postgres` in {@link CpuWindow} (set by bench/run.ts). */
let postmasterPid: number | undefined;
export function watchPostgres(pid: number | undefined): void {
  postmasterPid = pid;
}
/** The postmaster watched now (undefined: PGlite, or a PostgreSQL this run did not start). */
export function watchedPostgres(): number | undefined {
  return postmasterPid;
}

/** CPU seconds of the postmaster and all its children (backends, writers), by pid. */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  if (postmasterPid === undefined) return out;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const pid = Number(entry);
      if (pid === postmasterPid || Number(fields[1]) === postmasterPid) out.set(pid, (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * CPU use over a window: cores used by each watched process, by the watched PostgreSQL
 * (`postgres`, all its processes) and by the whole machine (`machine`, every process,
 * other people's included), plus the load average at the end.
 */
export class CpuWindow {
  private readonly start: Map<string, number>;
  private readonly startPostgres = postgresCpu();
  private readonly startMachine = machineJiffies();
  private readonly startMs = performance.now();
  constructor(private readonly pids: Record<string, number>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  }
  /** Cores used (1.0 = one core fully busy) per process, plus `postgres`, `machine` and `loadavg1`. */
  end(): Record<string, number> {
    const seconds = (performance.now() - this.startMs) / 1000;
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) out[name] = (cpuSeconds(pid) - this.start.get(name)!) / seconds;
    if (postmasterPid !== undefined) {
      let used = 0;
      for (const [pid, cpu] of postgresCpu()) used += cpu - (this.startPostgres.get(pid) ?? 0);
      out.postgres = used / seconds;
    }
    out.loadavg1 = loadavg()[0]!;
    const machine = machineJiffies();
    const cores = (machine.total - this.startMachine.total) / CLK_TCK / seconds; // ≈ core count
    out.machine = ((machine.busy - this.startMachine.busy) / (machine.total - this.startMachine.total)) * cores;
    return out;
  }
}

/** Samples a process's RSS every `everyMs` (a series for "RSS over time") and keeps the peak. */
export class RssSampler {
  readonly series: [seconds: number, rssMb: number][] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly t0 = performance.now();
  constructor(private readonly pid: number, everyMs = 250) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.sample();
  }
  private sample(): void {
    try {
      this.series.push([(performance.now() - this.t0) / 1000, memoryMb(this.pid).rssMb]);
    } catch {
      // the process has exited
    }
  }
  stop(): { peakRssMb: number; series: [number, number][] } {
    clearInterval(this.timer);
    let peak = Math.max(0, ...this.series.map(([, mb]) => mb));
    try {
      peak = Math.max(peak, memoryMb(this.pid).peakMb);
    } catch {
      // exited
    }
    return { peakRssMb: peak, series: this.series };
  }
}

// ---------------------------------------------------------------- the API key

/**
 * The admin API key of every server this run starts (POSTHORN_BOOTSTRAP_ADMIN_KEY, so each fresh
 * store's first key is this one), made once per run in the orchestrator. The rig's client and
 * the load generator (which gets it as POSTHORN_API_KEY) call with it.
 */
export const BENCH_API_KEY = generateApiKey();

/** Call metadata with {@link BENCH_API_KEY}, for `createWebhookClient({ metadata })`. */
export function benchAuthMetadata(): Record<string, string> {
  return { authorization: `Bearer ${BENCH_API_KEY}` };
}

// ---------------------------------------------------------------- the server

export interface ServerHandle {
  pid: number;
  address: string;
  logFile: string;
  /** performance.now() when the server logged "listening" (or answered, at warn level). */
  readyAt: number;
  /** performance.now() when it was spawned. */
  spawnedAt: number;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** DATABASE_URL or POSTHORN_DATA_DIR and any other settings. */
  env: Record<string, string>;
  /** `info` (the default; the "listening" line gives the port) or `warn` (ports picked here). */
  logLevel: "info" | "warn";
  /** Where its stdout/stderr (JSON log lines) go. */
  logFile: string;
  /** Write a V8 CPU profile into this folder on exit (`node --cpu-prof`). */
  cpuProfDir?: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Spawns `node server/bin/posthorn.js serve` (the compiled server, as deployed) from the repository root with only
 * PATH, HOME and the given settings, stdout and stderr to `logFile`, and waits until it serves.
 * At `info` the "listening" log line names the gRPC port (port 0); at `warn` that line is not
 * logged, so free ports are picked here and the server is polled until it answers.
 */
export async function startServer(options: ServerOptions): Promise<ServerHandle> {
  const warn = options.logLevel === "warn";
  const listen = warn ? `127.0.0.1:${await freePort()}` : "127.0.0.1:0";
  const metrics = warn ? `127.0.0.1:${await freePort()}` : "127.0.0.1:0";
  const fd = openSync(options.logFile, "w");
  const spawnedAt = performance.now();
  const child = spawn(
    process.execPath,
    [...(options.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`] : []), "server/bin/posthorn.js", "serve"],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        POSTHORN_LISTEN_ADDRESS: listen,
        POSTHORN_HTTP_ADDRESS: "off",
        POSTHORN_METRICS_ADDRESS: metrics,
        POSTHORN_ALLOWED_CIDRS: "127.0.0.1/32",
        POSTHORN_LOG_LEVEL: options.logLevel,
        POSTHORN_BOOTSTRAP_ADMIN_KEY: BENCH_API_KEY,
        ...options.env,
      },
      stdio: ["ignore", fd, fd],
    },
  );
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let dead = false;
  void exited.then(() => (dead = true));
  const deadline = Date.now() + 120_000;
  let address: string | undefined;
  while (address === undefined) {
    if (dead) throw new Error(`server exited before serving; log ${options.logFile}:\n${readFileSync(options.logFile, "utf8").slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`server did not start in 120 s; log ${options.logFile}`);
    await sleep(50);
    if (!warn) {
      const line = readFileSync(options.logFile, "utf8").split("\n").find((l) => l.includes('"msg":"listening"'));
      if (line) address = (JSON.parse(line) as { address?: string }).address ?? "(no api)";
    } else if (await answers(listen)) {
      address = listen;
    }
  }
  return {
    pid: child.pid!,
    address,
    logFile: options.logFile,
    readyAt: performance.now(),
    spawnedAt,
    async stop() {
      if (dead) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function answers(address: string): Promise<boolean> {
  const client = createWebhookClient({ address, maxRetries: 0, deadlineMs: 1000, metadata: benchAuthMetadata() });
  try {
    await client.listEventTypes({});
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

// ---------------------------------------------------------------- forked helpers

function forkTs(file: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return fork(join(ROOT, "bench", file), [], { cwd: ROOT, env, execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
}

/** The receivers process (see receivers-process.ts). */
export class Receivers {
  readonly child = forkTs("receivers-process.ts");
  private nextId = 0;
  ports: number[] = [];

  private request<T extends ReceiverReply>(command: ReceiverCommand, match: (reply: ReceiverReply) => reply is T): Promise<T> {
    return new Promise((resolve) => {
      const onMessage = (reply: ReceiverReply) => {
        if (!match(reply)) return;
        this.child.off("message", onMessage);
        resolve(reply);
      };
      this.child.on("message", onMessage);
      this.child.send(command);
    });
  }

  async start(endpoints: number, hang: number[], brand = "Dealix"): Promise<number[]> {
    const ready = await this.request({ type: "start", endpoints, hang, brand }, (r): r is { type: "ready"; ports: number[] } => r.type === "ready");
    this.ports = ready.ports;
    return this.ports;
  }
  async setSecrets(secrets: string[]): Promise<void> {
    await this.request({ type: "secrets", secrets }, (r): r is { type: "ack" } => r.type === "ack");
  }
  /** Makes these endpoints hang from now on (see receivers-process.ts). */
  async hang(endpoints: number[]): Promise<void> {
    await this.request({ type: "hang", endpoints }, (r): r is { type: "ack" } => r.type === "ack");
  }
  async record(on: boolean): Promise<void> {
    await this.request({ type: "record", on }, (r): r is { type: "ack" } => r.type === "ack");
  }
  snapshot(latencies = false): Promise<ReceiverSnapshot> {
    const id = this.nextId++;
    return this.request({ type: "snapshot", id, latencies }, (r): r is ReceiverSnapshot => r.type === "snapshot" && r.id === id);
  }
  stop(): void {
    if (this.child.connected) this.child.send({ type: "exit" } satisfies ReceiverCommand);
  }
}

/** The load generator process (see load-generator.ts); it calls with {@link BENCH_API_KEY}. */
export class LoadGenerator {
  readonly child = forkTs("load-generator.ts", { ...process.env, POSTHORN_API_KEY: BENCH_API_KEY });
  /** Latest progress report (saturate mode). */
  progress: { emitted: number[]; errors: number } = { emitted: [], errors: 0 };
  private done: Promise<LoadResult> | undefined;

  constructor() {
    this.child.on("message", (reply: LoadReply) => {
      if (reply.type === "progress") this.progress = { emitted: reply.emitted, errors: reply.errors };
    });
  }
  /** Starts a run; resolves when it ends (`stop` for saturate mode). */
  run(command: Exclude<LoadCommand, { type: "pause" | "resume" | "stop" }>): Promise<LoadResult> {
    this.done = new Promise((resolve, reject) => {
      this.child.on("message", (reply: LoadReply) => {
        if (reply.type === "done") resolve(reply.result);
      });
      this.child.once("exit", (code) => reject(new Error(`load generator exited (${code})`)));
    });
    this.child.send(command);
    return this.done;
  }
  send(command: Extract<LoadCommand, { type: "pause" | "resume" | "stop" }>): void {
    if (this.child.connected) this.child.send(command);
  }
  kill(): void {
    this.child.kill();
  }
}
