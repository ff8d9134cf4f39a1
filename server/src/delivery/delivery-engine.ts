import { randomBytes } from "node:crypto";
import type { DeliveryFeed } from "../api/delivery-feed.js";
import type { Config } from "../config/config.js";
import type { Clock } from "../domain/clock.js";
import { newId } from "../domain/ids.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { Store } from "../store/database.js";
import { claimDeliveries, type ClaimedDelivery } from "../store/sql/claim-deliveries.js";
import { GroupCommit } from "../store/group-commit.js";
import { recordAttempts, type AttemptResult, type RecordedAttempt } from "../store/sql/record-attempts.js";
import { deleteExpiredIdempotencyKeys, freeExpiredLeases, releaseLeases } from "../store/sql/release-leases.js";
import { FairQueue } from "./fair-queue.js";
import { decideAfterAttempt, type RetryPolicy } from "./retry-policy.js";
import { signedHeaders } from "./signed-request.js";
import type { Transport } from "./transport.js";

export interface DeliveryEngineDeps {
  store: Store;
  config: Config;
  clock: Clock;
  transport: Transport;
  feed: DeliveryFeed;
  logger: Logger;
  metrics: Metrics;
  /** Uniform random numbers in [0, 1) for jitter. */
  random: () => number;
}

/**
 * The delivery workers of one process. At-least-once: a delivery is leased before its attempt
 * and its outcome recorded after; a crash between the two leaves the lease to expire and the
 * sweeper to free, and the attempt is made again.
 */
export interface DeliveryEngine {
  /** This process's lease owner id. */
  readonly owner: string;
  start(): Promise<void>;
  /** Look for due deliveries now (an emit happened, or a test moved the clock). */
  wake(): void;
  /** Resolves once nothing is due now, queued or in flight (tests). */
  idle(): Promise<void>;
  /** Stops claiming, lets in-flight attempts finish within `shutdownTimeoutMs`, releases the rest. */
  stop(): Promise<void>;
}

type Job = ClaimedDelivery & { origin: string };

function withoutNul(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\ufffd") : text;
}

/** Claimed deliveries allowed per origin (waiting + in flight) = per-endpoint limit × this. */
const ORIGIN_BACKLOG_FACTOR = 2;

export function createDeliveryEngine(deps: DeliveryEngineDeps): DeliveryEngine {
  const { store, config, clock, transport, feed, logger, metrics, random } = deps;
  const owner = `wrk_${randomBytes(8).toString("hex")}`;
  const policy: RetryPolicy = {
    scheduleSeconds: config.retrySchedule,
    jitterRatio: config.retryJitter,
    maxRetryAfterSeconds: 86_400,
  };
  const queue = new FairQueue<Job>(config.maxConcurrencyPerEndpoint);
  /** Finished attempts are written in batches: one statement per batch (group commit). */
  const recorder = new GroupCommit<AttemptResult, RecordedAttempt>(
    (results) => recordAttempts(store.db, owner, results, new Date(clock.nowMs())),
    500,
  );
  /** Attempts running now, by delivery id. */
  const inFlight = new Map<string, Promise<void>>();
  /** Endpoint origin of each subscription with deliveries held here (for the claim's exclusion list). */
  const originOfSubscription = new Map<string, string>();
  /** Most deliveries this process holds at once (waiting + in flight). */
  const maxHeld = config.maxConcurrency * 2;

  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;
  let lastClaimWasEmpty = false;
  let idleWaiters: (() => void)[] = [];
  let timers: NodeJS.Timeout[] = [];
  let unlisten: (() => Promise<void>) | undefined;

  const held = () => queue.size + inFlight.size;

  const wake = () => {
    pendingWake = true;
    lastClaimWasEmpty = false;
    wakeUp?.();
  };

  const checkIdle = () => {
    if (lastClaimWasEmpty && held() === 0 && !pendingWake) {
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  async function claimOnce(): Promise<number> {
    const room = Math.min(maxHeld - held(), config.claimBatchSize);
    if (room <= 0) return 0;
    const nowMs = clock.nowMs();
    // Subscriptions whose endpoint already has a full backlog here are not claimed at all.
    const backlogCap = config.maxConcurrencyPerEndpoint * ORIGIN_BACKLOG_FACTOR;
    const saturated = [...originOfSubscription].flatMap(([id, origin]) => (queue.heldFor(origin) >= backlogCap ? [id] : []));
    const claimed = await claimDeliveries(store.db, owner, room, new Date(nowMs), config.leaseSeconds * 1000, saturated);
    const deferred: string[] = [];
    for (const delivery of claimed) {
      const origin = new URL(delivery.endpoint_url).origin;
      // An endpoint with a full backlog here gets its delivery back for later, so the lease is
      // never held while waiting on a slow endpoint.
      if (queue.heldFor(origin) >= backlogCap) deferred.push(delivery.id);
      else {
        queue.push({ ...delivery, origin });
        originOfSubscription.set(delivery.subscription_id, origin);
      }
    }
    if (deferred.length > 0) {
      await releaseLeases(store.db, owner, deferred, new Date(nowMs + Math.min(1000, config.attemptTimeoutMs / 2)));
    }
    pump();
    return claimed.length;
  }

  function pump(): void {
    while (inFlight.size < config.maxConcurrency) {
      const job = queue.take();
      if (!job) return;
      const run: Promise<void> = attempt(job)
        .catch((error: unknown) => logger.error({ err: error, delivery_id: job.id }, "attempt could not be recorded; its lease will expire and it will be retried"))
        .finally(() => {
          queue.done(job);
          if (queue.heldFor(job.origin) === 0) originOfSubscription.delete(job.subscription_id);
          inFlight.delete(job.id);
          if (running) {
            pump();
            if (held() < maxHeld / 2) wakeUp?.();
          }
          checkIdle();
        });
      inFlight.set(job.id, run);
    }
  }

  async function attempt(job: Job): Promise<void> {
    const attemptNumber = job.attempt_count + 1;
    const startMs = clock.nowMs();
    const { headers, signature } = signedHeaders({
      brand: config.brand,
      eventId: job.event_id,
      eventType: job.event_type,
      attemptNumber,
      body: job.envelope,
      scheme: job.signature_scheme,
      secrets: job.secrets,
      nowMs: startMs,
    });
    const outcome = await transport.send({ url: job.endpoint_url, headers, body: job.envelope, deadlineMs: config.attemptTimeoutMs });
    const endMs = clock.nowMs();
    const decision = decideAfterAttempt({ attemptNumber, outcome, nowMs: endMs, random, policy });
    const result: AttemptResult = {
      attempt: {
        id: newId("attempt"),
        delivery_id: job.id,
        attempt_number: attemptNumber,
        started_at: new Date(startMs),
        status_code: outcome.statusCode ?? null,
        duration_ms: Math.max(0, Math.round(outcome.durationMs)),
        error_kind: outcome.errorKind ?? null,
        error_message: withoutNul(outcome.errorMessage ?? (decision.kind === "failed" ? decision.reason : "")),
        // A receiver's bytes may hold U+0000, which PostgreSQL text refuses.
        response_excerpt: withoutNul(outcome.responseExcerpt),
        signature,
        succeeded: decision.kind === "succeeded",
        will_retry: decision.kind === "retry",
      },
      state: decision.kind === "succeeded" ? "succeeded" : decision.kind === "retry" ? "pending" : "failed",
      nextAttemptAt: decision.kind === "retry" ? new Date(decision.nextAttemptAtMs) : null,
      finalReason: decision.kind === "failed" ? withoutNul(decision.reason) : "",
      ...(decision.kind === "failed" && decision.disableSubscription
        ? { disableSubscription: { id: job.subscription_id, reason: decision.disableSubscription.reason } }
        : {}),
    };
    const { leaseHeld } = await recorder.submit(result);

    metrics.attempts.inc({ outcome: decision.kind });
    metrics.attemptDuration.observe({ outcome: decision.kind }, outcome.durationMs / 1000);
    if (decision.kind === "retry") metrics.retriesScheduled.inc();
    if (result.disableSubscription) metrics.subscriptionsDisabled.inc();
    logger.info(
      {
        event_id: job.event_id,
        delivery_id: job.id,
        attempt: attemptNumber,
        origin: job.origin,
        status: outcome.statusCode,
        error_kind: outcome.errorKind,
        duration_ms: result.attempt.duration_ms,
        outcome: decision.kind,
        ...(decision.kind === "retry" ? { next_attempt_at: new Date(decision.nextAttemptAtMs).toISOString() } : {}),
        ...(decision.kind === "failed" ? { reason: decision.reason } : {}),
      },
      "attempt",
    );
    if (leaseHeld) feed.publish(result.attempt.id);
    else logger.warn({ delivery_id: job.id }, "delivery changed while being attempted (canceled or lease expired); attempt recorded");
  }

  async function run(): Promise<void> {
    while (running) {
      pendingWake = false;
      let claimed = 0;
      try {
        claimed = await claimOnce();
      } catch (error) {
        logger.error({ err: error }, "claiming deliveries failed; retrying after the poll interval");
      }
      lastClaimWasEmpty = claimed === 0;
      checkIdle();
      if (!running) break;
      // A full batch suggests more is due: claim again at once if there is room.
      if (claimed === config.claimBatchSize && held() < maxHeld) continue;
      if (pendingWake) continue;
      await sleep(config.pollIntervalMs);
    }
  }

  async function sweep(): Promise<void> {
    const now = new Date(clock.nowMs());
    const freed = await freeExpiredLeases(store.db, now);
    if (freed > 0) {
      logger.warn({ freed }, "freed expired leases (a worker crashed or stalled); those deliveries will be attempted again");
      wake();
    }
    await deleteExpiredIdempotencyKeys(store.db, now);
  }

  return {
    owner,
    async start() {
      running = true;
      unlisten = await store.listenDue(wake);
      const sweepEveryMs = Math.max(1000, (config.leaseSeconds * 1000) / 4);
      timers.push(setInterval(() => sweep().catch((error) => logger.warn({ err: error }, "sweep failed")), sweepEveryMs).unref());
      await sweep();
      loop = run();
    },
    wake,
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wake();
      });
    },
    async stop() {
      if (!running) return;
      running = false;
      timers.forEach(clearInterval);
      timers = [];
      wakeUp?.();
      await unlisten?.();
      await loop;
      const waiting = queue.drain().map((job) => job.id);
      const now = new Date(clock.nowMs());
      await releaseLeases(store.db, owner, waiting, now);
      const finished = Promise.allSettled(inFlight.values());
      const timedOut = await Promise.race([
        finished.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), config.shutdownTimeoutMs).unref()),
      ]);
      if (timedOut) {
        const stuck = [...inFlight.keys()];
        await releaseLeases(store.db, owner, stuck, new Date(clock.nowMs())).catch(() => 0);
        logger.warn({ released: stuck.length }, "shutdown deadline passed; released in-flight deliveries");
      }
      await transport.close();
      idleWaiters.forEach((resolve) => resolve());
      idleWaiters = [];
      logger.info({ released: waiting.length }, "delivery workers stopped");
    },
  };
}
