import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/** An enabled, live subscription in a failing spell, as the health check reads it. */
export interface FailingSubscription {
  id: string;
  customer_id: string;
  endpoint_url: string;
  failing_since: Date;
  failing_warned_at: Date | null;
}

/**
 * The enabled, live subscriptions whose failing spell began at or before `startedBy` (the
 * warning period ago), longest failing first, at most `limit` (the partial index
 * `subscriptions_failing` holds just these, so this stays cheap with many subscriptions).
 */
export async function listFailingSubscriptions(db: Kysely<Database>, startedBy: Date, limit: number): Promise<FailingSubscription[]> {
  const rows = await db
    .selectFrom("subscriptions")
    .select(["id", "customer_id", "endpoint_url", "failing_since", "failing_warned_at"])
    .where("failing_since", "is not", null)
    .where("failing_since", "<=", startedBy)
    .where("enabled", "=", true)
    .where("deleted_at", "is", null)
    .orderBy("failing_since")
    .limit(limit)
    .execute();
  return rows as FailingSubscription[];
}
