import { sql, type Kysely } from "kysely";
import type { DeliveryRow } from "../rows.js";
import type { Database } from "../schema.js";

/** A delivery to create: which event goes to which subscription's endpoint. */
export type NewDelivery = Pick<
  DeliveryRow,
  "id" | "event_id" | "subscription_id" | "customer_id" | "event_type" | "endpoint_url" | "created_at"
> & {
  /** Takes turns (to an ordered subscription, see ordered-turns.ts). Default false. */
  ordered?: boolean;
  /** Waits for its turn: pending with no due time. Default false. */
  waiting?: boolean;
};

/**
 * Inserts pending deliveries, due at once (at their event's emit time, never later than
 * `now`, which is their `updated_at`) unless `waiting` (then `next_attempt_at` is NULL), as column arrays through `unnest`: one fixed statement
 * whatever the count, with no per-row query building (the fan-out is the largest write of an
 * emit). No rows: no statement.
 */
export async function insertPendingDeliveries(db: Kysely<Database>, rows: readonly NewDelivery[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(pick: (row: NewDelivery) => T): T[] => rows.map(pick);
  await sql`
    INSERT INTO deliveries (id, event_id, subscription_id, customer_id, event_type, endpoint_url, state,
                            attempt_count, next_attempt_at, final_reason, created_at, updated_at, ordered)
    SELECT id, event_id, subscription_id, customer_id, event_type, endpoint_url, 'pending', 0,
           CASE WHEN waiting THEN NULL ELSE created_at END, '', created_at, ${now}, ordered
    FROM unnest(${column((r) => r.id)}::text[], ${column((r) => r.event_id)}::text[], ${column((r) => r.subscription_id)}::text[],
                ${column((r) => r.customer_id)}::text[], ${column((r) => r.event_type)}::text[],
                ${column((r) => r.endpoint_url)}::text[], ${column((r) => r.created_at)}::timestamptz[],
                ${column((r) => r.waiting === true)}::boolean[], ${column((r) => r.ordered === true)}::boolean[])
      AS v (id, event_id, subscription_id, customer_id, event_type, endpoint_url, created_at, waiting, ordered)`.execute(db);
}
