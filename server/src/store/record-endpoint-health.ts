import { unixSeconds } from "../domain/operational-events.js";
import type { AttemptRow } from "./rows.js";
import { emitOperationalEvents } from "./operational-events.js";
import { endFailingSpells, type SpellEnd } from "./sql/end-failing-spells.js";
import type { AttemptBatchEffect, AttemptResult } from "./sql/record-attempts.js";
import { startFailingSpells, type SpellStart } from "./sql/start-failing-spells.js";

/**
 * Whether an attempt is the endpoint's failure, for its health: a non-2xx answer or a network
 * error (timeout, refused, DNS, TLS, reset, a blocked address, other) is. Two kinds are ours, not
 * the endpoint's, and count neither way: `abandoned` (our worker crashed or stalled) and
 * `shutdown` (we stopped and aborted the request).
 */
export function isEndpointFailure(attempt: Pick<AttemptRow, "succeeded" | "error_kind">): boolean {
  return !attempt.succeeded && attempt.error_kind !== "abandoned" && attempt.error_kind !== "shutdown";
}

/** The transitions a batch holds: spells to start (a failure, none on as the claim saw it) and to end (a success, one on). */
function transitions(results: readonly AttemptResult[]): { starts: SpellStart[]; ends: SpellEnd[] } {
  const starts: SpellStart[] = [];
  const ends: SpellEnd[] = [];
  for (const { attempt, delivery } of results) {
    const at = { subscriptionId: delivery.subscription_id, startedAt: attempt.started_at };
    if (attempt.succeeded && delivery.failing_since !== null) ends.push(at);
    else if (isEndpointFailure(attempt) && delivery.failing_since === null) starts.push(at);
  }
  return { starts, ends };
}

/**
 * The endpoint's health record (subscriptions `failing_since`, `failing_warned_at`,
 * `last_success_at`), kept with the attempts in their transaction. Only transitions write the
 * subscription, judged by what the claim read (`AttemptedDelivery.failing_since`), so a batch
 * of healthy successes or of failures inside a known spell stays one statement:
 * - a failure (`isEndpointFailure`) while no spell was on starts one at the attempt's start
 *   (`startFailingSpells`: unless a later success is recorded);
 * - a success while a spell was on ends it (`endFailingSpells`), and when `endpoint.failing` had
 *   gone out and the subscription is still enabled, `endpoint.recovered` goes to
 *   `operatorCustomerId` (domain/operational-events.ts).
 * A claim that read a stale record only delays a transition to the next attempt (the UPDATEs'
 * conditions keep the record right): a success that ends a spell another process just started
 * leaves it to the next success. Attempts are counted whether or not their delivery took the
 * outcome (a delivery canceled meanwhile): the request reached the endpoint either way.
 * Successes and failures of one subscription in one batch: spells end first, then start, so a
 * failure that started after the success starts a new spell.
 */
export function recordEndpointHealth(operatorCustomerId: string | undefined): AttemptBatchEffect {
  return {
    applies(results) {
      const { starts, ends } = transitions(results);
      return starts.length > 0 || ends.length > 0;
    },
    subscriptionsToLock(results) {
      const { starts, ends } = transitions(results);
      return [...ends, ...starts].map((transition) => transition.subscriptionId);
    },
    async apply(trx, results, _updated, now) {
      const { starts, ends } = transitions(results);
      const ended = await endFailingSpells(trx, ends);
      // The latest success of each subscription whose spell this batch ended: a failure of it
      // starts a new spell only when it came after that success.
      const endedIds = new Set(ended.map((spell) => spell.id));
      const lastSuccessMs = new Map<string, number>();
      for (const { subscriptionId, startedAt } of ends) {
        if (endedIds.has(subscriptionId)) lastSuccessMs.set(subscriptionId, Math.max(lastSuccessMs.get(subscriptionId) ?? -Infinity, startedAt.getTime()));
      }
      await startFailingSpells(
        trx,
        starts.filter((start) => start.startedAt.getTime() > (lastSuccessMs.get(start.subscriptionId) ?? -Infinity)),
      );
      const recovered = ended.filter((spell) => spell.failing_warned_at !== null && spell.enabled);
      return emitOperationalEvents(
        trx,
        operatorCustomerId,
        recovered.map((spell) => ({
          type: "endpoint.recovered" as const,
          data: {
            subscription_id: spell.id,
            customer_id: spell.customer_id,
            endpoint_url: spell.endpoint_url,
            failing_since: unixSeconds(spell.failing_since),
            recovered_at: unixSeconds(now),
          },
        })),
        now,
      );
    },
  };
}
