import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root (commands run from there, as a user would). */
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A process the test started, with its output kept line by line. */
export interface RunningProcess {
  child: ChildProcess;
  stdoutLines: string[];
  stderr(): string;
  /** Resolves with the first stdout line (past or future) that `match` accepts. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number, what?: string): Promise<string>;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves when it has ended. */
  stop(graceMs?: number): Promise<number | string>;
}

/**
 * Starts a command in its own process group (so `stop` also ends what it spawned, e.g. the
 * node under `npm start`), from the repository root. `shell: true` runs `command` through sh.
 */
export function startProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; shell?: boolean } = {}): RunningProcess {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    shell: options.shell ?? false,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdoutLines: string[] = [];
  let stderr = "";
  let partial = "";
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    for (const line of parts) {
      stdoutLines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stdout!.on("end", () => {
    if (partial !== "") stdoutLines.push(partial);
    partial = "";
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  const describe = () => `${command} ${args.join(" ")}`.slice(0, 200);
  return {
    child,
    stdoutLines,
    stderr: () => stderr,
    waitForLine(match, timeoutMs = 60_000, what = "the expected line") {
      const seen = stdoutLines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`${describe()}: no ${what} within ${timeoutMs} ms.\nstdout:\n${stdoutLines.join("\n")}\nstderr:\n${stderr}`));
        }, timeoutMs);
        waiters.push(waiter);
        void exited.then((code) => {
          if (!waiters.includes(waiter)) return;
          clearTimeout(timer);
          reject(new Error(`${describe()} exited (${code}) before ${what}.\nstdout:\n${stdoutLines.join("\n")}\nstderr:\n${stderr}`));
        });
      });
    },
    exited,
    async stop(graceMs = 15_000) {
      // The whole group, not only the leader: `npm start` exits on SIGTERM before the server
      // under it has finished shutting down.
      const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
        try {
          process.kill(-child.pid!, signal);
          return true;
        } catch {
          return false; // ESRCH: nobody left in the group.
        }
      };
      signalGroup("SIGTERM");
      const deadline = Date.now() + graceMs;
      while (signalGroup(0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (signalGroup("SIGKILL")) process.stderr.write(`${describe()}: still running ${graceMs} ms after SIGTERM; killed\n`);
      return exited;
    },
  };
}

/** Runs a command to completion: its exit code, stdout and stderr. */
export async function runProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; shell?: boolean; timeoutMs?: number } = {},
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const running = startProcess(command, args, options);
  const timer = setTimeout(() => void running.stop(1000), options.timeoutMs ?? 60_000);
  const code = await running.exited;
  clearTimeout(timer);
  return { code, stdout: running.stdoutLines.join("\n"), stderr: running.stderr() };
}

/** The `"msg":"listening"` JSON line of `posthorn serve`: gRPC and metrics addresses. */
export async function waitForListening(server: RunningProcess): Promise<{ address: string; http: string | undefined; metrics: string | undefined }> {
  const line = await server.waitForLine((l) => l.includes('"msg":"listening"'), 90_000, "\"listening\" log line");
  const record = JSON.parse(line) as { address: string; http?: string; metrics?: string };
  return { address: record.address, http: record.http, metrics: record.metrics };
}
