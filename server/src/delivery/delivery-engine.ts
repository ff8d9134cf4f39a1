import { randomBytes } from "node:crypto";
import type { Config } from "../config/config.js";
import type { Clock } from "../domain/clock.js";
import type { SigningSecret } from "../domain/secret.js";
import type { AttemptFeed } from "../feed/attempt-feed.js";
import type { DueSignal } from "../feed/due-signal.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { SecretUnsealError } from "../secrets/secret-cipher.js";
import type { SecretKeyring } from "../secrets/secret-keyring.js";
import { isDatabaseUnavailable } from "../store/availability.js";
import type { Store } from "../store/database.js";
import { GroupCommit } from "../store/group-commit.js";
import { claimDeliveries, type ClaimedDelivery } from "../store/sql/claim-deliveries.js";
import { recordAttempts, type AttemptResult, type RecordedAttempt } from "../store/sql/record-attempts.js";
import { releaseLeases } from "../store/sql/release-leases.js";
import { attemptResult } from "./attempt-result.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { decideAfterAttempt, type RetryPolicy } from "./retry-policy.js";
import { signedHeaders } from "./signed-request.js";
import type { Transport } from "./transport.js";

export interface DeliveryEngineDeps {
  store: Store;
  config: Config;
  clock: Clock;
  transport: Transport;
  /** Where recorded attempts are announced (WatchDeliveries). */
  feed: AttemptFeed;
  /** Wakes the workers when deliveries become due (here or in another process). */
  due: DueSignal;
  logger: Logger;
  metrics: Metrics;
  /** Opens the subscriptions' sealed signing secrets. */
  keyring: SecretKeyring;
  /** Uniform random numbers in [0, 1) for jitter. */
  random: () => number;
}

/**
 * The delivery workers of one process. At-least-once: a delivery is leased, and its attempt
 * numbered, by the claim; its outcome is recorded after the request. A process that dies in
 * between leaves its lease to expire; the sweeper (any process's) records that attempt as
 * `abandoned` and the delivery is attempted again under the next number.
 */
export interface DeliveryEngine {
  /** This process's lease owner id. */
  readonly owner: string;
  start(): Promise<void>;
  /** Look for due deliveries now (an emit happened, or a test moved the clock). */
  wake(): void;
  /** Resolves once nothing is due now or in flight (tests). */
  idle(): Promise<void>;
  /**
   * Stops claiming, lets attempts in flight finish for up to `shutdownTimeoutMs`, then aborts
   * the rest (recorded as `shutdown`, retried per the schedule) and records them; never releases
   * a lease while its request may still be running. Bounded by `shutdownTimeoutMs` + 1 s.
   */
  stop(): Promise<void>;
}

/**
 * The engine's modes:
 * - `running`: claims due deliveries and sends them;
 * - `paused`: the database is unreachable; nothing is claimed or sent until it answers again
 *   (attempts already sent keep trying to record their outcome);
 * - `draining`: stopping; no claims, attempts in flight finish or are aborted at the deadline;
 * - `stopped`.
 */
type Mode = "stopped" | "running" | "paused" | "draining";

/** One attempt running now. */
interface InFlight {
  origin: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * How long a delivery whose signing secret cannot be opened (its key is not configured here)
 * waits before it is claimed again, ms. It is given back without an attempt, so a key missing
 * from one process's configuration delays deliveries but never fails them.
 */
export const UNSEALABLE_RETRY_MS = 60_000;

/** How long aborted attempts may take to be recorded at shutdown, ms. */
const ABORTED_RECORD_GRACE_MS = 800;

export function createDeliveryEngine(deps: DeliveryEngineDeps): DeliveryEngine {
  const { store, config, clock, transport, feed, due, logger, metrics, keyring, random } = deps;
  const owner = `wrk_${randomBytes(8).toString("hex")}`;
  const leaseMs = config.leaseSeconds * 1000;
  const policy: RetryPolicy = {
    scheduleSeconds: config.retrySchedule,
    jitterRatio: config.retryJitter,
    maxRetryAfterSeconds: 86_400,
  };
  /** Finished attempts are written in batches: one statement per batch (group commit). */
  const recorder = new GroupCommit<AttemptResult, RecordedAttempt>(
    (results) => recordAttempts(store.db, owner, results, new Date(clock.nowMs())),
    500,
  );
  /** Attempts running now, by delivery id. Everything this process holds is in flight: a claim takes only what it can start at once. */
  const inFlight = new Map<string, InFlight>();
  /** Attempts in flight per endpoint origin (the unit of the per-endpoint limit). */
  const perOrigin = new Map<string, number>();
  /** Subscriptions with attempts in flight here: their endpoint origin and how many (for the claim's exclusion list). */
  const bySubscription = new Map<string, { origin: string; running: number }>();
  const leases = new LeaseKeeper({ store, owner, leaseMs, clock, logger, policy, random, running: () => [...inFlight.keys()], onFreed: (attemptIds) => {
      attemptIds.forEach((id) => feed.publish(id));
      wake();
    },
  });

  let mode: Mode = "stopped";
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;
  let lastClaimWasEmpty = false;
  let idleWaiters: (() => void)[] = [];
  let unlisten: (() => void) | undefined;
  let unwatchAvailability: (() => void) | undefined;
  /** Set when the shutdown deadline passed: outcomes that still cannot be recorded are given up. */
  let giveUpRecording = false;

  const wake = () => {
    pendingWake = true;
    lastClaimWasEmpty = false;
    wakeUp?.();
  };

  const checkIdle = () => {
    if (lastClaimWasEmpty && inFlight.size === 0 && !pendingWake) {
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

  const originOf = (url: string): string => {
    try {
      return new URL(url).origin;
    } catch {
      return url; // The transport records the invalid URL as the attempt's error.
    }
  };

  /** Claims what can start now (free slots, endpoints below their limit) and starts it; returns how many were claimed. */
  async function claimOnce(): Promise<number> {
    const room = Math.min(config.maxConcurrency - inFlight.size, config.claimBatchSize);
    if (room <= 0) return 0;
    const startMs = clock.nowMs();
    const limit = config.maxConcurrencyPerEndpoint;
    // Subscriptions whose endpoint is at its limit here are not claimed at all.
    const saturated = [...bySubscription].flatMap(([id, { origin }]) => ((perOrigin.get(origin) ?? 0) >= limit ? [id] : []));
    const claimed = await claimDeliveries(store.db, owner, room, new Date(startMs), leaseMs, saturated);
    // A claim answered after its lease could have run out (a frozen process) is given back unsent.
    const stale = clock.nowMs() >= startMs + (leaseMs * 2) / 3;
    const deferred: string[] = [];
    const unsealable: string[] = [];
    for (const delivery of claimed) {
      const origin = originOf(delivery.endpoint_url);
      // Two claimed deliveries of one endpoint may exceed its limit: the extra ones go back for later.
      if (stale || mode !== "running" || (perOrigin.get(origin) ?? 0) >= limit) {
        deferred.push(delivery.id);
        continue;
      }
      const secrets = openSecrets(delivery);
      if (secrets === undefined) unsealable.push(delivery.id);
      else start(delivery, origin, secrets);
    }
    if (deferred.length > 0) {
      const dueAt = new Date(clock.nowMs() + (stale ? 0 : Math.min(1000, config.attemptTimeoutMs / 2)));
      await releaseLeases(store.db, owner, deferred, dueAt);
    }
    if (unsealable.length > 0) await releaseLeases(store.db, owner, unsealable, new Date(clock.nowMs() + UNSEALABLE_RETRY_MS));
    return claimed.length;
  }

  /**
   * The delivery's signing secrets, opened; undefined (and an error line naming the
   * subscription and the key id, never a secret) when one cannot be opened: the delivery is then
   * given back without an attempt, to be tried again later.
   */
  function openSecrets(delivery: ClaimedDelivery): SigningSecret[] | undefined {
    try {
      return keyring.openAll(delivery.subscription_id, delivery.secrets);
    } catch (error) {
      if (!(error instanceof SecretUnsealError)) throw error;
      logger.error(
        {
          subscription_id: delivery.subscription_id,
          delivery_id: delivery.id,
          key_id: error.keyId,
          failure: error.failure,
          retry_in_ms: UNSEALABLE_RETRY_MS,
        },
        `${error.message}; the delivery is not attempted and is tried again later`,
      );
      return undefined;
    }
  }

  function start(delivery: ClaimedDelivery, origin: string, secrets: SigningSecret[]): void {
    perOrigin.set(origin, (perOrigin.get(origin) ?? 0) + 1);
    const subscription = bySubscription.get(delivery.subscription_id);
    if (subscription) subscription.running++;
    else bySubscription.set(delivery.subscription_id, { origin, running: 1 });
    const abort = new AbortController();
    const done = attempt(delivery, origin, secrets, abort.signal)
      .catch((error: unknown) =>
        logger.error(
          { err: error, delivery_id: delivery.id, attempt: delivery.attempt_number },
          "attempt outcome could not be recorded; when its lease runs out it is recorded as abandoned and retried",
        ),
      )
      .finally(() => {
        const left = perOrigin.get(origin)! - 1;
        if (left === 0) perOrigin.delete(origin);
        else perOrigin.set(origin, left);
        const subscription = bySubscription.get(delivery.subscription_id)!;
        if (--subscription.running === 0) bySubscription.delete(delivery.subscription_id);
        inFlight.delete(delivery.id);
        // Room again: look for more (the claim loop batches these wake-ups).
        if (mode === "running") wake();
        checkIdle();
      });
    inFlight.set(delivery.id, { origin, abort, done });
  }

  async function attempt(job: ClaimedDelivery, origin: string, secrets: SigningSecret[], signal: AbortSignal): Promise<void> {
    const attemptNumber = job.attempt_number;
    const startMs = clock.nowMs();
    const { headers, signature } = signedHeaders({
      brand: config.brand,
      eventId: job.event_id,
      eventType: job.event_type,
      attemptNumber,
      body: job.envelope,
      scheme: job.signature_scheme,
      secrets,
      nowMs: startMs,
    });
    const outcome = await transport.send({ url: job.endpoint_url, headers, body: job.envelope, deadlineMs: config.attemptTimeoutMs, signal });
    const decision = decideAfterAttempt({ attemptNumber, outcome, nowMs: clock.nowMs(), random, policy });
    const result = attemptResult(
      { deliveryId: job.id, subscriptionId: job.subscription_id, attemptNumber, startMs, signature },
      outcome,
      decision,
    );
    const { leaseHeld } = await record(result);

    metrics.attempts.inc({ outcome: decision.kind });
    metrics.attemptDuration.observe({ outcome: decision.kind }, outcome.durationMs / 1000);
    if (decision.kind === "retry") metrics.retriesScheduled.inc();
    if (result.disableSubscription) metrics.subscriptionsDisabled.inc();
    logger.info(
      {
        event_id: job.event_id,
        delivery_id: job.id,
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
    feed.publish(result.attempt.id);
    if (!leaseHeld) {
      logger.warn(
        { delivery_id: job.id, attempt: attemptNumber },
        "delivery changed while being attempted (canceled, or its lease ran out and was swept); the attempt is recorded, the delivery left as it was",
      );
    }
  }

  /**
   * Records an outcome; while the database is unreachable, keeps it and tries again (backoff up
   * to 5 s) until it is written, the lease is lost (the write then only fills in the attempt
   * row), or the shutdown deadline passed.
   */
  async function record(result: AttemptResult): Promise<RecordedAttempt> {
    for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5000)) {
      try {
        return await recorder.submit(result);
      } catch (error) {
        // The store already told its availability monitor (it reports every failed statement).
        if (!isDatabaseUnavailable(error) || giveUpRecording) throw error;
        await databaseBackOr(delayMs);
      }
    }
  }

  /** Resolves after `ms`, or as soon as the database is reachable again, whichever is first. */
  function databaseBackOr(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unwatch();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const unwatch = store.availability.onChange((up) => up && done());
    });
  }

  async function run(): Promise<void> {
    while (mode === "running" || mode === "paused") {
      pendingWake = false;
      let claimed = 0;
      if (mode === "running") {
        try {
          claimed = await claimOnce();
        } catch (error) {
          if (!isDatabaseUnavailable(error)) {
            logger.error({ err: error }, "claiming deliveries failed; retrying after the poll interval");
          }
        }
      }
      lastClaimWasEmpty = claimed === 0;
      checkIdle();
      if (mode !== "running" && mode !== "paused") break;
      // A full batch suggests more is due: claim again at once if there is room.
      if (claimed === config.claimBatchSize && inFlight.size < config.maxConcurrency) continue;
      if (pendingWake && mode === "running") continue;
      await sleep(config.pollIntervalMs);
    }
  }

  /** Pauses while the database is unreachable; resumes (and looks for work) when it answers. */
  function onAvailability(up: boolean): void {
    if (up && mode === "paused") {
      mode = "running";
      logger.info("delivery workers resumed");
      wake();
    } else if (!up && mode === "running") {
      mode = "paused";
      logger.warn({ in_flight: inFlight.size }, "delivery workers paused: nothing is claimed or sent until the database answers");
    }
  }

  return {
    owner,
    async start() {
      mode = store.availability.up ? "running" : "paused";
      unwatchAvailability = store.availability.onChange(onAvailability);
      unlisten = await due.listen(wake);
      await leases.start();
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
      if (mode === "stopped" || mode === "draining") return;
      mode = "draining";
      unwatchAvailability?.();
      wakeUp?.();
      unlisten?.();
      await loop;
      // The heartbeat keeps running: attempts in flight keep their leases while they finish.
      if (inFlight.size > 0) {
        logger.info({ in_flight: inFlight.size, timeout_ms: config.shutdownTimeoutMs }, "waiting for attempts in flight to finish");
      }
      const settled = () => Promise.allSettled([...inFlight.values()].map((a) => a.done));
      const timedOut = await Promise.race([
        settled().then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), config.shutdownTimeoutMs).unref()),
      ]);
      let aborted = 0;
      if (timedOut && inFlight.size > 0) {
        aborted = inFlight.size;
        logger.warn({ aborted }, "shutdown deadline passed; aborting attempts in flight (recorded as shutdown, retried per the schedule)");
        inFlight.forEach((a) => a.abort.abort());
        const recorded = await Promise.race([
          settled().then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ABORTED_RECORD_GRACE_MS).unref()),
        ]);
        if (!recorded) {
          giveUpRecording = true;
          logger.warn(
            { unrecorded: inFlight.size },
            "could not record every aborted attempt in time; their leases run out and they are recorded as abandoned",
          );
        }
      }
      leases.stop();
      await Promise.race([transport.close(), new Promise((resolve) => setTimeout(resolve, 200).unref())]).catch(() => {});
      mode = "stopped";
      idleWaiters.forEach((resolve) => resolve());
      idleWaiters = [];
      logger.info({ aborted }, "delivery workers stopped");
    },
  };
}
