import { unixSeconds } from "../domain/operational-events.js";
import type { Kysely } from "kysely";
import { emitOperationalEvents } from "./operational-events.js";
import type { Database, SubscriptionTable } from "./schema.js";

/**
 * Emits `secret.rotated` (domain/operational-events.ts) about `subscription` to
 * `operatorCustomerId`, in the rotation's transaction `trx`. `now`: the rotation's time;
 * `graceSeconds`: how long the previous secret still signs (0: revoked at once, reported as
 * `previous_secret_expires_at` null). The caller made sure `now`'s day partition exists and
 * wakes the workers after the commit when this returns more than 0 (deliveries created).
 * Nothing for the operator's own subscriptions (`emitOperationalEvents`).
 */
export function reportSecretRotation(
  trx: Kysely<Database>,
  operatorCustomerId: string | undefined,
  subscription: Pick<SubscriptionTable, "id" | "customer_id" | "endpoint_url">,
  now: Date,
  graceSeconds: number,
): Promise<number> {
  const rotatedAt = unixSeconds(now);
  const data = {
    subscription_id: subscription.id,
    customer_id: subscription.customer_id,
    endpoint_url: subscription.endpoint_url,
    rotated_at: rotatedAt,
    previous_secret_expires_at: graceSeconds === 0 ? null : rotatedAt + graceSeconds,
  };
  return emitOperationalEvents(trx, operatorCustomerId, [{ type: "secret.rotated", data }], now);
}
