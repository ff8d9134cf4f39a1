import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import {
  alwaysAvailable,
  createAvailabilityMonitor,
  type DatabaseAvailability,
} from "./availability.js";
import { lockDataDir } from "./data-dir-lock.js";
import { ListenConnection } from "./listen-connection.js";
import { ProbeConnection } from "./probe-connection.js";
import type { Database } from "./schema.js";

/**
 * A connected store: Kysely over `pg` (PostgreSQL) or over the embedded PGlite. Same SQL, same
 * migrations; the few things that differ between the two (running a multi-statement script,
 * cross-process wake-ups) live here and nowhere else.
 */
export interface Store {
  readonly kind: "postgres" | "pglite";
  readonly db: Kysely<Database>;
  /** Whether the database can be reached now (PGlite: always). */
  readonly availability: DatabaseAvailability;
  /** Runs `fn` in a transaction that can execute multi-statement SQL scripts (migrations). */
  scriptTransaction<T>(fn: (exec: ScriptExecutor) => Promise<T>): Promise<T>;
  /**
   * Subscribes to "deliveries are due" signals from every process on this database
   * (PostgreSQL LISTEN); returns an unsubscribe function. After the LISTEN connection is lost
   * and re-established, every listener is called once (deliveries may have become due meanwhile). On PGlite only this process writes,
   * so in-process signals (see `DueSignal`) are all there is.
   */
  listenDue(onSignal: () => void): Promise<() => Promise<void>>;
  /**
   * Tells other processes on this database that deliveries are due (PostgreSQL NOTIFY).
   * Coalesced: calls made while one NOTIFY is in flight are answered by a single next one.
   */
  notifyDue(): Promise<void>;
  /**
   * Cross-process attempt feed (PostgreSQL only; undefined on PGlite, where one process does
   * everything): `notifyAttempts` announces recorded attempt ids, `listenAttempts` hears them
   * from every process on this database.
   */
  attemptChannel:
    | {
        notifyAttempts(ids: readonly string[]): Promise<void>;
        listenAttempts(onIds: (ids: string[]) => void): Promise<void>;
      }
    | undefined;
  close(): Promise<void>;
}

/** PostgreSQL channel for recorded attempt ids (comma-separated). */
const ATTEMPTS_CHANNEL = "posthorn_attempts";
/** NOTIFY payloads must stay under 8,000 bytes: ids of 28 characters + a comma each. */
const IDS_PER_NOTIFY = 250;

/** Runs a SQL script (one or more statements, no parameters); resolves to the last statement's rows. */
export type ScriptExecutor = (script: string) => Promise<unknown[]>;

/** PostgreSQL channel for "deliveries are due" notifications. */
const DUE_CHANNEL = "posthorn_deliveries_due";

export interface StoreOptions {
  /** PostgreSQL URL; without it the embedded PGlite in `dataDir` is used. */
  databaseUrl?: string | undefined;
  /** PGlite data folder, created if missing. */
  dataDir: string;
  /** `pg` pool size. */
  poolSize?: number;
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
    application_name: "posthorn",
  };
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10 });
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
  const listeners = new Set<() => void>();
  const attemptListeners = new Set<(ids: string[]) => void>();
  const listenConnection = new ListenConnection({
    config: { ...connection, application_name: "posthorn-listen" },
    availability,
    onNotification(channel, payload) {
      if (channel === DUE_CHANNEL) listeners.forEach((listener) => listener());
      else if (channel === ATTEMPTS_CHANNEL && payload) {
        const ids = payload.split(",");
        attemptListeners.forEach((listener) => listener(ids));
      }
    },
    // Deliveries may have been emitted while nobody listened.
    onReconnected: () => listeners.forEach((listener) => listener()),
    onError: (error) => onError(error instanceof Error ? error : new Error(String(error))),
    firstRetryMs: RELISTEN_FIRST_MS,
    maxRetryMs: RELISTEN_MAX_MS,
  });
  const listening = (channel: string) => listenConnection.listen(channel);
  let notifying: Promise<void> | undefined;
  let notifyAgain = false;
  const notify = async (): Promise<void> => {
    do {
      notifyAgain = false;
      await pool.query(`NOTIFY ${DUE_CHANNEL}`);
    } while (notifyAgain);
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
    async listenDue(onSignal) {
      if (listeners.size === 0) await listening(DUE_CHANNEL);
      listeners.add(onSignal);
      return async () => {
        listeners.delete(onSignal);
      };
    },
    notifyDue() {
      if (notifying) {
        notifyAgain = true;
        return notifying;
      }
      notifying = notify().finally(() => (notifying = undefined));
      return notifying;
    },
    attemptChannel: {
      async notifyAttempts(ids) {
        for (let i = 0; i < ids.length; i += IDS_PER_NOTIFY) {
          await pool.query("SELECT pg_notify($1, $2)", [ATTEMPTS_CHANNEL, ids.slice(i, i + IDS_PER_NOTIFY).join(",")]);
        }
      },
      async listenAttempts(onIds) {
        if (attemptListeners.size === 0) await listening(ATTEMPTS_CHANNEL);
        attemptListeners.add(onIds);
      },
    },
    async close() {
      availability.close();
      await listenConnection.close();
      await probeConnection.close();
      await db.destroy();
    },
  };
}

async function openPglite(dataDir: string): Promise<Store> {
  const path = resolve(dataDir);
  mkdirSync(path, { recursive: true });
  const unlock = lockDataDir(path);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(path);
  } catch (error) {
    unlock();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: "pglite",
    db,
    availability: alwaysAvailable,
    async scriptTransaction(fn) {
      return pglite.transaction(async (tx) =>
        fn(async (script) => (await tx.exec(script)).at(-1)?.rows ?? []),
      );
    },
    async listenDue() {
      return async () => {};
    },
    async notifyDue() {},
    attemptChannel: undefined,
    async close() {
      // Destroying the Kysely driver closes PGlite (kysely-pglite-dialect ≥ 1.3.1).
      await db.destroy();
      unlock();
    },
  };
}
