import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import pg from "pg";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("../../.ci/start-postgres.sh", import.meta.url));

/**
 * A PostgreSQL cluster of the test's own (`.ci/start-postgres.sh`: a temp folder, a free port,
 * trust auth), for tests that stop, restart or cut connections, which must never happen to the
 * shared server in `DATABASE_URL` that other test files use in parallel.
 */
export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  url: string;
  /** `pg_ctl restart -m <mode>`, waiting until it accepts connections again. */
  restart(mode: "fast" | "immediate"): Promise<void>;
  /** `pg_ctl stop -m fast` (connections are terminated, new ones refused). */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** `pg_ctl start`, waiting until it accepts connections. */
  start(): Promise<void>;
  /** `pg_terminate_backend` on every other connection (of `applicationName` only, when given); resolves to how many. */
  terminateBackends(applicationName?: string): Promise<number>;
  /** Stops the cluster and removes its folder. */
  destroy(): Promise<void>;
}

/**
 * Starts one. Rejects when PostgreSQL cannot be had (no binaries and no way to install them);
 * callers skip on that, as the suite's tests needing PostgreSQL do.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  // Durable (fsync, synchronous_commit on): with the script's fast test settings, `restart -m
  // immediate` loses commits PostgreSQL already acknowledged, and Emits with them.
  const { stdout } = await run("bash", [SCRIPT], { timeout: 300_000, env: { ...process.env, POSTHORN_PG_DURABLE: "1" } });
  // Each line is `export NAME=<shell-quoted value>`; let the shell unquote them.
  const { stdout: env } = await run("bash", ["-c", `${stdout}\nprintf '%s\\0' "$DATABASE_URL" "$POSTHORN_PG_CTL" "$POSTHORN_PG_DATA"`]);
  const [url, ctl, dataDir] = env.split("\0") as [string, string, string];
  const pgCtl = async (action: string) => {
    await run("bash", ["-c", `${ctl} ${action}`], { timeout: 120_000 });
  };
  return {
    url,
    restart: (mode) => pgCtl(`restart -m ${mode} -w -t 60`),
    stop: (mode = "fast") => pgCtl(`stop -m ${mode} -w -t 60`),
    start: () => pgCtl("start -w -t 60"),
    async terminateBackends(applicationName) {
      const client = new pg.Client({ connectionString: url });
      client.on("error", () => {});
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
            WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND ($1::text IS NULL OR application_name = $1)`,
          [applicationName ?? null],
        );
        return Number(rows[0]?.n ?? 0);
      } finally {
        await client.end();
      }
    },
    async destroy() {
      await pgCtl("stop -m immediate -w -t 60").catch(() => {});
      rmSync(dirname(dataDir), { recursive: true, force: true });
    },
  };
}
