import { sql, type Kysely } from "kysely";
import type { SubscriptionRow } from "../rows.js";
import type { Database } from "../schema.js";

/**
 * What fan-out needs of a subscription, and what an attempt needs of it when its delivery is
 * handed to this process's workers in the same transaction (store/delivery-handoff.ts).
 */
export type FanOutSubscription = Pick<
  SubscriptionRow,
  | "id"
  | "customer_id"
  | "endpoint_url"
  | "event_types"
  | "ordered"
  | "secrets"
  | "signature_scheme"
  | "rate_limit_per_second"
  | "rate_limit_burst"
  | "failing_since"
> & {
  /**
   * The digest of what fan-out and the handoff read of the row (`posthorn_fan_out_digest`,
   * migration 0014): what the Emit in one statement checks a remembered fan-out against
   * (store/fan-out-snapshots.ts).
   */
  version: string;
};

/**
 * The enabled, live (not deleted) subscriptions of `customerIds`, oldest first (by `seq`), with
 * ONE query for all customers of a store call; no customers: no query. Their rows are locked
 * FOR SHARE: a concurrent delete/disable (which holds the row FOR UPDATE) finishes first and the
 * row is re-checked, so no pending delivery outlives its cancellation. Ordered subscriptions are
 * serialized on top of that by their turn lock (`insertDeliveriesInTurn`), not by a stronger row
 * lock: see `lockOrderedTurns` for why.
 */
export async function lockSubscriptionsForFanOut(
  db: Kysely<Database>,
  customerIds: readonly string[],
): Promise<FanOutSubscription[]> {
  if (customerIds.length === 0) return [];
  return db
    .selectFrom("subscriptions")
    .select(["id", "customer_id", "endpoint_url", "event_types", "ordered", "secrets", "signature_scheme", "rate_limit_per_second", "rate_limit_burst", "failing_since"])
    .select(sql<string>`posthorn_fan_out_digest(subscriptions)`.as("version"))
    .where("customer_id", "in", customerIds)
    .where("enabled", "=", true)
    .where("deleted_at", "is", null)
    .orderBy("seq")
    .forShare()
    .execute();
}
