import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import { alwaysUp, type DatabaseAvailability } from "./availability.js";
import { lockDataDir } from "./data-dir-lock.js";
import type { Database } from "./schema.js";

/**
 * A connected store: Kysely over `pg` (PostgreSQL) or over the embedded PGlite. Same SQL, same
 * migrations; the few things that differ between the two (running a multi-statement script,
 * cross-process wake-ups) live here and nowhere else.
 */
export interface Store {
  readonly kind: "postgres" | "pglite";
  readonly db: Kysely<Database>;
  /** Whether the database answers right now (PGlite: always). */
  readonly availability: DatabaseAvailability;
  /** Runs `fn` in a transaction that can execute multi-statement SQL scripts (migrations). */
  scriptTransaction<T>(fn: (exec: ScriptExecutor) => Promise<T>): Promise<T>;
  /**
   * Subscribes to "deliveries are due" signals from every process on this database
   * (PostgreSQL LISTEN); returns an unsubscribe function. On PGlite only this process writes,
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
  /** Receives pool errors (e.g. the server closed a connection); must not throw. */
  onError?: (error: Error) => void;
}

/** Opens the store the options select. Throws if the database cannot be reached. */
export async function openStore(options: StoreOptions): Promise<Store> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options.dataDir);
}

async function openPostgres(url: string, options: StoreOptions): Promise<Store> {
  const onError = options.onError ?? (() => {});
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // Without a listener, an idle client's error (e.g. the server shutting down) crashes the process.
  pool.on("error", onError);
  const probe = await pool.connect();
  probe.release();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const listeners = new Set<() => void>();
  const attemptListeners = new Set<(ids: string[]) => void>();
  let listenClient: pg.PoolClient | undefined;
  /** One connection LISTENs on both channels, opened on first use. */
  const listening = async (channel: string) => {
    if (!listenClient) {
      listenClient = await pool.connect();
      listenClient.on("notification", (message) => {
        if (message.channel === DUE_CHANNEL) listeners.forEach((listener) => listener());
        else if (message.channel === ATTEMPTS_CHANNEL && message.payload) {
          const ids = message.payload.split(",");
          attemptListeners.forEach((listener) => listener(ids));
        }
      });
      listenClient.on("error", onError);
    }
    await listenClient.query(`LISTEN ${channel}`);
  };
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
    availability: alwaysUp(),
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
      if (listenClient) {
        listenClient.release(true);
        listenClient = undefined;
      }
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
    availability: alwaysUp(),
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
