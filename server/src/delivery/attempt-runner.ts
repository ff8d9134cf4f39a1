import { context, type SpanContext } from "@opentelemetry/api";
import type { Config } from "../config/config.js";
import type { Clock } from "../domain/clock.js";
import type { SigningSecret } from "../domain/secret.js";
import type { AttemptFeed } from "../feed/attempt-feed.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { ClaimedDelivery } from "../store/sql/claim-deliveries.js";
import { attemptResult } from "./attempt-result.js";
import { endAttemptSpan, startAttemptSpan, type AttemptSpan } from "./attempt-span.js";
import type { AttemptRecorder } from "./attempt-recorder.js";
import { decideAfterAttempt, type RetryPolicy } from "./retry-policy.js";
import { signedHeaders } from "./signed-request.js";
import type { Transport } from "./transport.js";

export interface AttemptRunnerDeps {
  config: Pick<Config, "brand" | "attemptTimeoutMs">;
  clock: Clock;
  transport: Transport;
  policy: RetryPolicy;
  /** Uniform random numbers in [0, 1) for jitter. */
  random: () => number;
  recorder: AttemptRecorder;
  feed: AttemptFeed;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Makes one attempt of a claimed delivery: sign (at send time), with the trace headers → send → decide what follows
 * (retry policy) → record the attempt and the delivery's next state → announce it (metrics,
 * the `attempt` log line, the attempt feed).
 */
export class AttemptRunner {
  readonly #deps: AttemptRunnerDeps;

  constructor(deps: AttemptRunnerDeps) {
    this.#deps = deps;
  }

  /**
   * Attempts `delivery` (whose endpoint origin is `origin`) signed with `secrets`; `signal`
   * aborts the request (recorded as `shutdown`). The attempt runs in its CLIENT span (a child of
   * the Emit's trace, linked to `claim`, the claim's span: attempt-span.ts). Rejects when the
   * outcome cannot be recorded.
   */
  async run(delivery: ClaimedDelivery, origin: string, secrets: SigningSecret[], signal: AbortSignal, claim?: SpanContext): Promise<void> {
    const attemptSpan = startAttemptSpan(delivery, claim);
    return context.with(attemptSpan.active, () => this.#run(delivery, origin, secrets, signal, attemptSpan));
  }

  async #run(delivery: ClaimedDelivery, origin: string, secrets: SigningSecret[], signal: AbortSignal, attemptSpan: AttemptSpan): Promise<void> {
    const { config, clock, transport, policy, random, recorder, feed, logger, metrics } = this.#deps;
    const attemptNumber = delivery.attempt_number;
    const startMs = clock.nowMs();
    const { headers, signature } = signedHeaders({
      brand: config.brand,
      eventId: delivery.event_id,
      eventType: delivery.event_type,
      attemptNumber,
      body: delivery.envelope,
      scheme: delivery.signature_scheme,
      secrets,
      nowMs: startMs,
    });
    // The W3C trace headers let the receiver join the Emit's trace (attempt-span.ts).
    Object.assign(headers, attemptSpan.headers);
    const outcome = await transport.send({ url: delivery.endpoint_url, headers, body: delivery.envelope, deadlineMs: config.attemptTimeoutMs, signal });
    const decision = decideAfterAttempt({ attemptNumber, outcome, nowMs: clock.nowMs(), random, policy });
    endAttemptSpan(attemptSpan.span, outcome, decision.kind);
    const result = attemptResult(
      { delivery, attemptNumber, startMs, signature },
      outcome,
      decision,
    );
    const { deliveryUpdated } = await recorder.record(result);

    metrics.attempts.inc({ outcome: decision.kind });
    metrics.attemptDuration.observe({ outcome: decision.kind }, outcome.durationMs / 1000);
    if (outcome.errorKind !== undefined) metrics.attemptErrors.inc({ error_kind: outcome.errorKind });
    if (decision.kind === "retry") metrics.retriesScheduled.inc();
    if (result.disableSubscription) metrics.subscriptionsDisabled.inc();
    logger.info(
      {
        event_id: delivery.event_id,
        delivery_id: delivery.id,
        attempt: attemptNumber,
        origin,
        status: outcome.statusCode,
        error_kind: outcome.errorKind,
        duration_ms: result.attempt.duration_ms,
        outcome: decision.kind,
        ...(decision.kind === "retry" ? { next_attempt_at: new Date(decision.nextAttemptAtMs).toISOString() } : {}),
        ...(decision.kind === "failed" ? { reason: decision.reason } : {}),
      },
      "attempt",
    );
    if (decision.kind === "retry" && logger.isLevelEnabled("debug")) {
      logger.debug(
        { delivery_id: delivery.id, attempt: attemptNumber, delay_ms: decision.delayMs, next_attempt_at: new Date(decision.nextAttemptAtMs).toISOString() },
        "retry scheduled",
      );
    }
    feed.publish(result.attempt.id);
    if (!deliveryUpdated) {
      logger.warn(
        { delivery_id: delivery.id, attempt: attemptNumber },
        "delivery changed while being attempted (canceled, or its lease ran out and was swept); the attempt is recorded, the delivery left as it was",
      );
    }
  }
}
