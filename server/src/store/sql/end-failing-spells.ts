import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/** A succeeded attempt that may end its subscription's failing spell. */
export interface SpellEnd {
  subscriptionId: string;
  /** When the succeeded attempt started. */
  startedAt: Date;
}

/** A failing spell that a success ended, with the record as it was. */
export interface EndedSpell {
  id: string;
  customer_id: string;
  endpoint_url: string;
  enabled: boolean;
  /** The spell's start. */
  failing_since: Date;
  /** When `endpoint.failing` went out for it; null: it had not (no `endpoint.recovered` then). */
  failing_warned_at: Date | null;
}

/**
 * Ends the failing spell of each subscription in `ends`: `failing_since` and
 * `failing_warned_at` NULL, `last_success_at` the success's start (never moved back). Only a
 * spell that began at or before the success is ended (a failure recorded meanwhile that started
 * after it keeps its spell). The row is locked in id order before it is read, so the returned
 * record is the one this statement ended: of two processes recording successes at once, one
 * ends the spell (and reports it), the other finds none. Returns the spells ended.
 */
export async function endFailingSpells(db: Kysely<Database>, ends: readonly SpellEnd[]): Promise<EndedSpell[]> {
  if (ends.length === 0) return [];
  const { rows } = await sql<EndedSpell>`
    WITH v AS (
      SELECT subscription_id, max(started_at) AS started_at
      FROM unnest(${ends.map((e) => e.subscriptionId)}::text[], ${ends.map((e) => e.startedAt)}::timestamptz[]) AS v (subscription_id, started_at)
      GROUP BY subscription_id
    ), old AS (
      SELECT s.id, s.failing_since, s.failing_warned_at, v.started_at FROM subscriptions AS s JOIN v ON v.subscription_id = s.id
      WHERE s.failing_since IS NOT NULL AND s.failing_since <= v.started_at
      ORDER BY s.id
      FOR UPDATE OF s
    )
    UPDATE subscriptions AS s
    SET failing_since = NULL, failing_warned_at = NULL, last_success_at = GREATEST(s.last_success_at, old.started_at)
    FROM old
    WHERE s.id = old.id
    RETURNING s.id, s.customer_id, s.endpoint_url, s.enabled, old.failing_since, old.failing_warned_at`.execute(db);
  return rows;
}
