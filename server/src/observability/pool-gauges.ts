import { Gauge, type Registry } from "prom-client";

/** A connection pool's numbers at one moment (node-postgres: `pool.totalCount` etc.). */
export interface PoolStats {
  /** Connections open (idle and in use). */
  total: number;
  /** Open connections not in use. */
  idle: number;
  /** Requests for a connection waiting because all `max` are in use. */
  waiting: number;
  /** Most connections the pool opens (`POSTHORN_DB_POOL_SIZE`). */
  max: number;
}

/**
 * Registers four gauges read from `stats` at each scrape: `posthorn_db_pool_connections`,
 * `posthorn_db_pool_idle_connections`, `posthorn_db_pool_waiting_requests` and
 * `posthorn_db_pool_max_connections`. Waiting requests above 0 for long mean the pool is too
 * small for the load (or the database too slow). Only for PostgreSQL: the embedded PGlite has
 * one connection and no pool, so there these gauges are not registered (absent rather than a
 * misleading 0).
 */
export function registerPoolGauges(registry: Registry, stats: () => PoolStats): void {
  const gauge = (name: string, help: string, read: (s: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(stats()));
      },
    });
  gauge("posthorn_db_pool_connections", "PostgreSQL pool connections open (idle and in use)", (s) => s.total);
  gauge("posthorn_db_pool_idle_connections", "PostgreSQL pool connections open and not in use", (s) => s.idle);
  gauge("posthorn_db_pool_waiting_requests", "Requests waiting for a PostgreSQL pool connection (all in use)", (s) => s.waiting);
  gauge("posthorn_db_pool_max_connections", "Most connections the PostgreSQL pool opens (POSTHORN_DB_POOL_SIZE)", (s) => s.max);
}
