import { sql, type Kysely, type RawBuilder } from "kysely";
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
  /** Inserted leased to the `lease` owner, attempt 1 taken (handed to local workers: store/delivery-handoff.ts). Default false. */
  leased?: boolean;
};

/** The lease that `leased` rows are inserted with: the local workers' owner id, until when. */
export interface InsertLease {
  owner: string;
  expiresAt: Date;
}

/**
 * Inserts pending deliveries, due at once (at their event's emit time, never later than
 * `now`, which is their `updated_at`) unless `waiting` (then `next_attempt_at` is NULL), as
 * column arrays through `unnest`: one fixed statement whatever the count, with no per-row query
 * building (the fan-out is the largest write of an emit). No rows: no statement.
 *
 * A `leased` row is inserted as a claim would leave it (claim-deliveries.ts): leased to
 * `lease.owner` until `lease.expiresAt`, `leased_at` = `now`, attempt 1 taken; it is never in the
 * claim's index. Rows are `leased` only when `lease` is given.
 */
export async function insertPendingDeliveries(db: Kysely<Database>, rows: readonly NewDelivery[], now: Date, lease?: InsertLease): Promise<void> {
  if (rows.length > 0) await pendingDeliveriesInsert(rows, now, lease).execute(db);
}

/**
 * The INSERT statement of `insertPendingDeliveries` (`rows` not empty), to run as it is or as a
 * data-modifying CTE of a larger statement (an emit's events and deliveries in one round trip:
 * `insertEvents`'s `andThen`, `emitInOneStatement`). `onlyIf`: a condition the rows are inserted
 * under (that statement's premise check). The SQL text is the same whatever the rows (they are
 * parameters), so the statement can be prepared.
 */
export function pendingDeliveriesInsert(rows: readonly NewDelivery[], now: Date, lease?: InsertLease, onlyIf?: RawBuilder<boolean>): RawBuilder<unknown> {
  const column = <T>(pick: (row: NewDelivery) => T): T[] => rows.map(pick);
  return sql`
    INSERT INTO deliveries (id, event_id, subscription_id, customer_id, event_type, endpoint_url, state,
                            attempt_count, next_attempt_at, final_reason, created_at, updated_at, ordered,
                            lease_owner, lease_expires_at, leased_at)
    SELECT id, event_id, subscription_id, customer_id, event_type, endpoint_url, 'pending', CASE WHEN leased THEN 1 ELSE 0 END,
           CASE WHEN waiting THEN NULL ELSE created_at END, '', created_at, ${now}, ordered,
           CASE WHEN leased THEN ${lease?.owner ?? null}::text END,
           CASE WHEN leased THEN ${lease?.expiresAt ?? null}::timestamptz END,
           CASE WHEN leased THEN ${now}::timestamptz END
    FROM unnest(${column((r) => r.id)}::text[], ${column((r) => r.event_id)}::text[], ${column((r) => r.subscription_id)}::text[],
                ${column((r) => r.customer_id)}::text[], ${column((r) => r.event_type)}::text[],
                ${column((r) => r.endpoint_url)}::text[], ${column((r) => r.created_at)}::timestamptz[],
                ${column((r) => r.waiting === true)}::boolean[], ${column((r) => r.ordered === true)}::boolean[],
                ${column((r) => lease !== undefined && r.leased === true)}::boolean[])
      AS v (id, event_id, subscription_id, customer_id, event_type, endpoint_url, created_at, waiting, ordered, leased)
    ${onlyIf ? sql`WHERE ${onlyIf}` : sql``}`;
}
