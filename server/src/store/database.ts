import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, type CompiledQuery } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import {
  alwaysAvailable,
  createAvailabilityMonitor,
  type DatabaseAvailability,
} from "./availability.js";
import type { PoolStats } from "../observability/metrics.js";
import { lockDataDir } from "./data-dir-lock.js";
import { ListenConnection } from "./listen-connection.js";
import { initPgliteDataDir } from "./pglite-first-start.js";
import { PgliteStatementCache } from "./pglite-prepared.js";
import { ProbeConnection } from "./probe-connection.js";
import type { Database } from "./schema.js";

/**
 * A connected store: Kysely over `pg` (PostgreSQL) or over the embedded PGlite. Same SQL, same
 * migrations; the few things that differ between the two (running a multi-statement script,
 * the LISTEN/NOTIFY connection) live here and nowhere else.
 */
export interface Store {
  readonly kind: "postgres" | "pglite";
  readonly db: Kysely<Database>;
  /** Whether the database can be reached now (PGlite: always). */
  readonly availability: DatabaseAvailability;
  /** Runs `fn` in a transaction that can execute multi-statement SQL scripts (migrations). */
  scriptTransaction<T>(fn: (exec: ScriptExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs `query` as the named prepared statement `name` on PostgreSQL: each connection plans it
   * once, and after five runs PostgreSQL keeps its generic plan (plan_cache_mode auto), which
   * prunes partitions at run time. For hot-path statements whose planning grows with the number of
   * partitions (the claim: docs/performance.md). `name` must always come with the same SQL text.
   * PGlite prepares every statement with parameters anyway (pglite-prepared.ts). Resolves to the rows.
   */
  runPrepared<R>(name: string, query: CompiledQuery<R>): Promise<R[]>;
  /**
   * PostgreSQL LISTEN/NOTIFY between the processes on this database; undefined on PGlite, where
   * one process does everything (in-process signals are all there is). Only the mechanics live
   * here: the channels, their payloads and their meaning are in `feed/`.
   */
  readonly notifications: Notifications | undefined;
  /** The `pg` pool's numbers now (metrics); undefined on PGlite, which has one connection and no pool. */
  readonly poolStats: (() => PoolStats) | undefined;
  close(): Promise<void>;
}

/** Runs a SQL script (one or more statements, no parameters); resolves to the last statement's rows. */
export type ScriptExecutor = (script: string) => Promise<unknown[]>;

/** One channel's listener: its payloads, and a call after a lost LISTEN connection is back. */
export interface ChannelListener {
  onNotification(payload: string): void;
  /** Notifications sent while the connection was lost were missed. */
  onReconnected?(): void;
}

/** Cross-process notifications (PostgreSQL LISTEN/NOTIFY). */
export interface Notifications {
  /**
   * Hears `channel` from every process on this database (this one included) until the returned
   * function is called. Resolves once the LISTEN is in place (or, with the database unreachable,
   * once a reconnect is scheduled; it is LISTENed on then). The LISTEN connection is re-established
   * with backoff when lost; then every listener's `onReconnected` is called.
   */
  listen(channel: string, listener: ChannelListener): Promise<() => void>;
  /** Sends `payload` (under 8,000 bytes; "" for none) on `channel` to every listening process. */
  notify(channel: string, payload?: string): Promise<void>;
}

export interface StoreOptions {
  /** PostgreSQL URL; without it the embedded PGlite in `dataDir` is used. */
  databaseUrl?: string | undefined;
  /** PGlite data folder, created if missing. */
  dataDir: string;
  /** `pg` pool size: most connections open at once (default 10). */
  poolSize?: number;
  /**
   * PostgreSQL `application_name` of the pool's connections (default `posthorn`); the LISTEN
   * connection gets this + `-listen`. An `application_name` in the URL wins (node-postgres
   * lets the connection string override the options).
   */
  applicationName?: string;
  /** Receives connection errors that do not mean "database unreachable" (those go to `log`); must not throw. */
  onError?: (error: Error) => void;
  /** The database outage lines: one (warn) when it becomes unreachable, one (info) when it is back; must not throw. */
  log?: (level: "info" | "warn", message: string) => void;
}

/** How long opening a connection may take before it counts as failed, in ms (a hung network must not wait forever). */
const CONNECT_TIMEOUT_MS = 5000;
/** TCP keepalive on every connection, so a silently vanished server is noticed. */
const KEEPALIVE_DELAY_MS = 10_000;
/** LISTEN connection: first reconnect delay and cap, in ms. */
const RELISTEN_FIRST_MS = 250;
const RELISTEN_MAX_MS = 2000;

/** Opens the store the options select. Throws if the database cannot be reached. */
export async function openStore(options: StoreOptions): Promise<Store> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options.dataDir);
}

async function openPostgres(url: string, options: StoreOptions): Promise<Store> {
  const onError = options.onError ?? (() => {});
  const connection: pg.ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    // A default the URL can override (`?application_name=`); operators see who is connected.
    application_name: options.applicationName ?? "posthorn",
  };
  const max = options.poolSize ?? 10;
  const pool = new pg.Pool({ ...connection, max });
  const probeConnection = new ProbeConnection(connection);
  const availability = createAvailabilityMonitor({ probe: () => probeConnection.selectOne(), log: options.log ?? (() => {}) });
  const connectionFailed = (error: Error) => {
    if (!availability.reportFailure(error)) onError(error);
  };
  // Every client gets a listener: pg-pool listens only to idle ones, and an 'error' on a
  // checked-out client (e.g. 57P01 between two statements of a transaction) without one ends
  // the process. A client that failed is not queryable any more and the pool discards it on release.
  pool.on("connect", (client) => client.on("error", connectionFailed));
  // The pool re-emits idle clients' errors; the listener above has them already.
  pool.on("error", () => {});
  probeConnection.onError = connectionFailed;
  try {
    const first = await pool.connect();
    first.release();
  } catch (error) {
    availability.close();
    await pool.end().catch(() => {});
    throw error;
  }
  const reported = (error: unknown) => (availability.reportFailure(error), error);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      // Failures to get a connection count too (the log below sees only statements that ran).
      pool: {
        connect: () => pool.connect().catch((error: unknown) => Promise.reject(reported(error))),
        end: () => pool.end(),
      } as unknown as pg.Pool,
    }),
    log: (event) => {
      if (event.level === "error") availability.reportFailure(event.error);
    },
  });
  const listeners = new Map<string, Set<ChannelListener>>();
  const listenConnection = new ListenConnection({
    config: { ...connection, application_name: `${connection.application_name}-listen` },
    availability,
    onNotification(channel, payload) {
      listeners.get(channel)?.forEach((listener) => listener.onNotification(payload ?? ""));
    },
    onReconnected: () => listeners.forEach((set) => set.forEach((listener) => listener.onReconnected?.())),
    onError: (error) => onError(error instanceof Error ? error : new Error(String(error))),
    firstRetryMs: RELISTEN_FIRST_MS,
    maxRetryMs: RELISTEN_MAX_MS,
  });
  const notifications: Notifications = {
    async listen(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      if (set.size === 0) await listenConnection.listen(channel);
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    async notify(channel, payload = "") {
      await pool.query("SELECT pg_notify($1, $2)", [channel, payload]);
    },
  };

  return {
    kind: "postgres",
    db,
    availability,
    async scriptTransaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        // A query without parameters uses the simple protocol, which runs several statements.
        const result = await fn(async (script) => {
          const results = (await client.query(script)) as unknown as pg.QueryResult | pg.QueryResult[];
          return Array.isArray(results) ? (results.at(-1)?.rows ?? []) : results.rows;
        });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async runPrepared<R>(name: string, query: CompiledQuery<R>): Promise<R[]> {
      const result = await pool
        .query({ name, text: query.sql, values: [...query.parameters] })
        .catch((error: unknown) => Promise.reject(reported(error)));
      return result.rows as R[];
    },
    notifications,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
    async close() {
      availability.close();
      await listenConnection.close();
      await probeConnection.close();
      await db.destroy();
    },
  };
}

/**
 * PostgreSQL settings of the embedded store, on top of PGlite's own start parameters
 * (`PGlite.defaultStartParams`: single-user, `-F` i.e. fsync off, no parallel workers).
 *
 * `shared_buffers`: PGlite starts with PostgreSQL's default 128 MB, and its shared memory is
 * zeroed at start, so all of it is resident in the WASM heap from the first second (RSS
 * 305 → 177 MB for a bare PGlite at 16 MB; `pg_shmem_allocations`: 142 → 20 MB). The data files
 * are read through the OS page cache anyway, so a small buffer pool costs a copy, not a disk
 * read: on W2 (bench/pglite-w2.ts) 1.15 instead of 1.05 read system calls per delivery, and a
 * peak RSS of 350–410 MB instead of 530–550. `wal_buffers` follows (1/32 of it, PostgreSQL's -1).
 */
const PGLITE_START_PARAMS: readonly string[] = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];

async function openPglite(dataDir: string): Promise<Store> {
  const path = resolve(dataDir);
  mkdirSync(path, { recursive: true });
  const unlock = lockDataDir(path);
  let pglite: PGlite;
  try {
    await initPgliteDataDir(path, PGLITE_START_PARAMS);
    pglite = await PGlite.create(path, { startParams: [...PGLITE_START_PARAMS] });
  } catch (error) {
    unlock();
    throw error;
  }
  const statements = new PgliteStatementCache(pglite);
  // The dialect calls only `query` and `close`: queries with parameters run prepared.
  const client = { query: statements.query.bind(statements), close: () => pglite.close() } as unknown as PGlite;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  return {
    kind: "pglite",
    db,
    availability: alwaysAvailable,
    async scriptTransaction(fn) {
      return pglite.transaction(async (tx) =>
        fn(async (script) => (await tx.exec(script)).at(-1)?.rows ?? []),
      );
    },
    // Every statement with parameters is prepared on PGlite (pglite-prepared.ts).
    async runPrepared<R>(_name: string, query: CompiledQuery<R>): Promise<R[]> {
      return (await db.executeQuery(query)).rows;
    },
    notifications: undefined,
    poolStats: undefined,
    async close() {
      // Destroying the Kysely driver closes PGlite (kysely-pglite-dialect ≥ 1.3.1).
      await db.destroy();
      unlock();
    },
  };
}
