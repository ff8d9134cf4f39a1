import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/** A failed attempt that may start its subscription's failing spell. */
export interface SpellStart {
  subscriptionId: string;
  /** When the failed attempt started. */
  startedAt: Date;
}

/**
 * Starts the failing spell of each subscription in `starts` (`failing_since` = the failed
 * attempt's start), unless one is already on, or a success that started later is already
 * recorded (`last_success_at` ≥ the attempt's start: a slow failure recorded after a newer
 * success must not start a spell). The conditions are in the UPDATE, so two processes recording
 * failures at once start one spell. Rows are locked in id order (no deadlock between two
 * batches). Health is derived state: `updated_at` is left alone. Returns how many spells started.
 */
export async function startFailingSpells(db: Kysely<Database>, starts: readonly SpellStart[]): Promise<number> {
  if (starts.length === 0) return 0;
  const { numAffectedRows } = await sql`
    WITH v AS (
      SELECT subscription_id, min(started_at) AS started_at
      FROM unnest(${starts.map((s) => s.subscriptionId)}::text[], ${starts.map((s) => s.startedAt)}::timestamptz[]) AS v (subscription_id, started_at)
      GROUP BY subscription_id
    ), locked AS (
      SELECT s.id, v.started_at FROM subscriptions AS s JOIN v ON v.subscription_id = s.id
      WHERE s.failing_since IS NULL AND (s.last_success_at IS NULL OR s.last_success_at < v.started_at)
      ORDER BY s.id
      FOR UPDATE OF s
    )
    UPDATE subscriptions AS s SET failing_since = locked.started_at
    FROM locked
    WHERE s.id = locked.id AND s.failing_since IS NULL`.execute(db);
  return Number(numAffectedRows ?? 0n);
}
