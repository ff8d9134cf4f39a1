import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { TEST_ADMIN_KEY, testSecretKeysEnv } from "./test-keys.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  /** gRPC address from the "listening" log line. */
  address: string;
  /** Every stdout line so far (JSON log records). */
  lines: string[];
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Runs `posthorn serve` (the real CLI: server/bin/posthorn.js, compiled code) as a child process with `env` added to a
 * minimal environment, and waits for its "listening" line. With DATABASE_URL and no
 * POSTHORN_SECRET_KEYS in `env`, the server gets `TEST_SECRET_KEYS`.
 */
export async function spawnServer(env: Record<string, string>, timeoutMs = 90_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["server/bin/posthorn.js", "serve"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      POSTHORN_LISTEN_ADDRESS: "127.0.0.1:0",
      POSTHORN_HTTP_ADDRESS: "127.0.0.1:0",
      POSTHORN_METRICS_ADDRESS: "off",
      POSTHORN_ALLOWED_CIDRS: "127.0.0.1/32",
      POSTHORN_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY,
      ...testSecretKeysEnv(env),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave a server running behind a failed start.
      child.kill("SIGKILL");
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${stderr}\n${lines.join("\n")}`));
    }, timeoutMs);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      lines.push(line);
      if (line.includes('"msg":"listening"')) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { address: string }).address);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${stderr}\n${lines.join("\n")}`));
    });
  });
  return {
    child,
    address,
    lines,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
