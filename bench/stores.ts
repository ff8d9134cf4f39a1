/**
 * The two stores every scenario runs on: PostgreSQL (a fresh database per scenario, created
 * through the admin URL) and the embedded PGlite (a fresh data folder per scenario).
 */
import { execFileSync, execSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { ROOT } from "./processes.js";
import { TEST_SECRET_KEYS } from "../test/helpers/test-keys.js";

/** `postgres`: durable settings; `postgres-nosync`: fsync and synchronous_commit off (as in CI). */
export type StoreKind = "postgres" | "postgres-nosync" | "pglite";

/** A fresh, empty store for one scenario: the server settings that select it, and its removal. */
export interface FreshStore {
  env: Record<string, string>;
  drop(): Promise<void>;
}

let counter = 0;

export async function freshStore(kind: StoreKind, adminUrl: string | undefined): Promise<FreshStore> {
  if (kind === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "posthorn-bench-pglite-"));
    return { env: { POSTHORN_DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!adminUrl) throw new Error(`no PostgreSQL admin URL for ${kind}`);
  const name = `posthorn_bench_${process.pid}_${Date.now()}_${counter++}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    // Servers on PostgreSQL need the signing-secret keys (every process the same ones).
    env: { DATABASE_URL: url.toString(), POSTHORN_SECRET_KEYS: TEST_SECRET_KEYS },
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined),
  };
}

async function adminQuery(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * `CHECKPOINT` on the PostgreSQL behind `databaseUrl` (needs a superuser or `pg_checkpoint`), so
 * a measured window does not pay for the writes of the set-up before it (the peers harness does
 * the same). Resolves to what happened: `"done"` or the error's message.
 */
export async function checkpoint(databaseUrl: string): Promise<string> {
  try {
    await adminQuery(databaseUrl, "CHECKPOINT");
    return "done";
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  }
}

/** The server's version and the settings that decide commit cost. */
export async function postgresFacts(url: string): Promise<Record<string, string>> {
  const names = ["server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_level", "shared_buffers", "max_connections"];
  const facts: Record<string, string> = {};
  for (const name of names) facts[name] = String((await adminQuery(url, `SHOW ${name}`)).rows[0]?.[name] ?? "?");
  return facts;
}

/**
 * A PostgreSQL for the run: `DATABASE_URL` when set (unless `ownServer`), else a throwaway
 * one from `.ci/start-postgres.sh` (durable settings unless `fast`), stopped by `stop()`.
 */
export function providePostgres(
  fast: boolean,
  ownServer = false,
): { url: string; started: boolean; /** The postmaster's pid (servers started here). */ pid?: number; stop(): void } {
  if (process.env.DATABASE_URL && !ownServer) return { url: process.env.DATABASE_URL, started: false, stop() {} };
  const out = execFileSync("bash", [join(ROOT, ".ci/start-postgres.sh")], {
    env: { ...process.env, POSTHORN_PG_DURABLE: fast ? "0" : "1" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const value = (name: string) => {
    const match = new RegExp(`^export ${name}=(.*)$`, "m").exec(out)?.[1];
    if (match === undefined) throw new Error(`start-postgres.sh printed no ${name}:\n${out}`);
    return match.startsWith('"') ? (JSON.parse(match.replace(/\\\$/g, "$")) as string) : match;
  };
  const url = value("DATABASE_URL");
  const stopCommand = value("POSTHORN_PG_STOP");
  const dataDir = / -D (\S+) /.exec(stopCommand)?.[1];
  const pid = dataDir ? Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]) : undefined;
  let stopped = false;
  return {
    url,
    started: true,
    ...(pid ? { pid } : {}),
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        execSync(stopCommand, { stdio: "ignore" });
      } catch {
        // already stopped
      }
    },
  };
}
