import type { Kysely } from "kysely";
import { newId } from "../domain/ids.js";
import type { SubscriptionRow } from "./rows.js";
import type { Database } from "./schema.js";
import { insertInChunks } from "./insert-chunks.js";
import { passTurns } from "./ordered-turns.js";
import { insertPendingDeliveries } from "./sql/insert-pending-deliveries.js";
import { listMissedEvents } from "./sql/list-missed-events.js";
import { recoverFailedDeliveries, type RecoveredDeliveries } from "./sql/recover-failed-deliveries.js";

/** What RecoverFailedDeliveries did. */
export interface SubscriptionRecovery extends RecoveredDeliveries {
  /** New pending deliveries, for matching events emitted while the subscription was disabled. */
  created: number;
}

/**
 * RecoverFailedDeliveries (proto doc): brings back what the enabled subscription missed since
 * `since`, in the caller's transaction (the subscription locked FOR SHARE, so no disable slips
 * in): its failed deliveries and those canceled because it was disabled are pending again
 * (`recoverFailedDeliveries`), and each event of its customer emitted since `since` (and not
 * before the subscription was created) that it matches but has no delivery of gets a new
 * pending delivery, due at once (`listMissedEvents`; like Svix's "recover", which resends what
 * failed, plus what a disabled endpoint never got).
 */
export async function recoverSubscription(
  trx: Kysely<Database>,
  subscription: Pick<SubscriptionRow, "id" | "customer_id" | "event_types" | "endpoint_url" | "created_at" | "ordered">,
  since: Date,
  now: Date,
): Promise<SubscriptionRecovery> {
  const recovered = await recoverFailedDeliveries(trx, subscription.id, since, now, subscription.ordered);
  const from = new Date(Math.max(since.getTime(), subscription.created_at.getTime()));
  const missed = await listMissedEvents(trx, subscription.id, subscription.customer_id, subscription.event_types, from);
  const deliveries = missed.map((event) => ({
    id: newId("delivery", event.created_at.getTime()),
    event_id: event.id,
    subscription_id: subscription.id,
    customer_id: subscription.customer_id,
    event_type: event.type,
    endpoint_url: subscription.endpoint_url,
    created_at: event.created_at,
    // Ordered: they wait for their turn, after what waits already (ordered-turns.ts).
    ...(subscription.ordered ? { ordered: true, waiting: true } : {}),
  }));
  await insertInChunks(deliveries, () => 0, (chunk) => insertPendingDeliveries(trx, chunk, now));
  if (subscription.ordered && deliveries.length > 0) await passTurns(trx, [subscription.id], now);
  return { ...recovered, created: deliveries.length };
}
