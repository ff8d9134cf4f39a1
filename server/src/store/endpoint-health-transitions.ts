import { unixSeconds } from "../domain/operational-events.js";
import type { Kysely } from "kysely";
import { autoDisableReason, disableAtMs, type EndpointHealthSettings, type FailingSpell } from "../domain/endpoint-health-rule.js";
import { disableSubscription, type DisableOutcome } from "./disable-subscription.js";
import { emitOperationalEvents } from "./operational-events.js";
import type { Database } from "./schema.js";
import type { FailingSubscription } from "./sql/list-failing-subscriptions.js";
import { markFailingWarned } from "./sql/mark-failing-warned.js";
import { takeFailingSubscription } from "./sql/take-failing-subscription.js";


/**
 * The warning, in the caller's transaction `trx`: if the subscription is still enabled, failing
 * since the same time and not warned (`takeFailingSubscription`), `failing_warned_at` = `now`
 * and `endpoint.failing` goes to `operatorCustomerId`. Returns the deliveries made due (the
 * caller wakes the workers after the commit), or undefined when another process warned first or
 * the spell ended meanwhile (nothing done).
 */
export async function warnFailingEndpoint(
  trx: Kysely<Database>,
  subscription: FailingSubscription,
  spell: FailingSpell,
  settings: EndpointHealthSettings,
  operatorCustomerId: string | undefined,
  now: Date,
): Promise<number | undefined> {
  if (!(await takeFailingSubscription(trx, subscription.id, subscription.failing_since, true))) return undefined;
  await markFailingWarned(trx, subscription.id, now);
  const disableAt = disableAtMs(spell.failingSince, settings);
  return emitOperationalEvents(
    trx,
    operatorCustomerId,
    [
      {
        type: "endpoint.failing",
        data: {
          subscription_id: subscription.id,
          customer_id: subscription.customer_id,
          endpoint_url: subscription.endpoint_url,
          failing_since: unixSeconds(spell.failingSince),
          failed_attempts: spell.failedAttempts,
          disable_at: disableAt === null ? null : unixSeconds(disableAt),
        },
      },
    ],
    now,
  );
}

/**
 * The auto-disable, in the caller's transaction `trx`: if the subscription is still enabled and
 * failing since the same time (`takeFailingSubscription`), `disableSubscription` with the reason
 * (`autoDisableReason`): pending deliveries canceled, `endpoint.disabled` sent. Returns what it
 * did and the reason, or undefined when another process disabled it first or the spell ended.
 */
export async function autoDisableEndpoint(
  trx: Kysely<Database>,
  subscription: FailingSubscription,
  spell: FailingSpell,
  settings: EndpointHealthSettings,
  operatorCustomerId: string | undefined,
  now: Date,
): Promise<(DisableOutcome & { reason: string }) | undefined> {
  if (!(await takeFailingSubscription(trx, subscription.id, subscription.failing_since, false))) return undefined;
  const reason = autoDisableReason(spell, settings.endpointDisableAfterHours);
  const outcome = await disableSubscription(trx, subscription.id, reason, now, operatorCustomerId, spell.failingSince);
  return outcome === undefined ? undefined : { ...outcome, reason };
}
