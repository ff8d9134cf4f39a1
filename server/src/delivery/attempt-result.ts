import { newId } from "../domain/ids.js";
import type { AttemptedDelivery, AttemptResult } from "../store/sql/record-attempts.js";
import type { AttemptDecision } from "./retry-policy.js";
import type { AttemptOutcome } from "./transport.js";

/** What `attemptResult` needs to know about the attempt besides its outcome. */
export interface AttemptFacts {
  /** The delivery attempted, as claimed; its `created_at` is the attempt's partition key. */
  delivery: AttemptedDelivery;
  /** The number the claim took for this attempt (1-based). */
  attemptNumber: number;
  /** When the request started, epoch ms. */
  startMs: number;
  /** The signature header value sent (recorded so a receiver's complaint can be checked). */
  signature: string;
}

/** PostgreSQL text refuses U+0000, which a receiver's bytes may hold. */
function withoutNul(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\ufffd") : text;
}

/** The delivery as a decision leaves it: its state, when it is due again (retry only), and why it failed (pure). */
export function deliveryAfter(decision: AttemptDecision): Pick<AttemptResult, "state" | "nextAttemptAt" | "finalReason"> {
  return {
    state: decision.kind === "succeeded" ? "succeeded" : decision.kind === "retry" ? "pending" : "failed",
    nextAttemptAt: decision.kind === "retry" ? new Date(decision.nextAttemptAtMs) : null,
    finalReason: decision.kind === "failed" ? withoutNul(decision.reason) : "",
  };
}

/**
 * The row and delivery change to record for one finished attempt (pure): the attempt row
 * (status, bounded excerpt, timing, classified error), the delivery's next state from the retry
 * policy's `decision`, and on 410 Gone the subscription to disable.
 */
export function attemptResult(facts: AttemptFacts, outcome: AttemptOutcome, decision: AttemptDecision): AttemptResult {
  return {
    attempt: {
      // The time part of an attempt id is its partition key, the delivery's created_at.
      id: newId("attempt", facts.delivery.created_at.getTime()),
      delivery_id: facts.delivery.id,
      delivery_created_at: facts.delivery.created_at,
      attempt_number: facts.attemptNumber,
      started_at: new Date(facts.startMs),
      status_code: outcome.statusCode ?? null,
      duration_ms: Math.max(0, Math.round(outcome.durationMs)),
      error_kind: outcome.errorKind ?? null,
      error_message: withoutNul(outcome.errorMessage ?? (decision.kind === "failed" ? decision.reason : "")),
      response_excerpt: withoutNul(outcome.responseExcerpt),
      signature: facts.signature,
      succeeded: decision.kind === "succeeded",
      will_retry: decision.kind === "retry",
    },
    ...deliveryAfter(decision),
    ...(decision.kind === "failed" && decision.disableSubscription
      ? { disableSubscription: { id: facts.delivery.subscription_id, reason: decision.disableSubscription.reason } }
      : {}),
    delivery: facts.delivery,
  };
}
