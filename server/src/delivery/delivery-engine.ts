import type { SpanContext } from "@opentelemetry/api";
import type { Config } from "../config/config.js";
import type { Clock } from "../domain/clock.js";
import { newId } from "../domain/ids.js";
import type { SigningSecret } from "../domain/secret.js";
import type { AttemptFeed } from "../feed/attempt-feed.js";
import type { DueSignal } from "../feed/due-signal.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { SecretKeyring } from "../secrets/secret-keyring.js";
import type { Store } from "../store/database.js";
import type { ClaimedDelivery } from "../store/sql/claim-deliveries.js";
import type { LocalHandoff } from "../store/delivery-handoff.js";
import { attemptEffects } from "./attempt-effects.js";
import { AttemptRecorder } from "./attempt-recorder.js";
import { AttemptRunner } from "./attempt-runner.js";
import { AttemptSlots } from "./attempt-slots.js";
import { claimBatch, type ClaimBatchDeps } from "./claim-batch.js";
import { ClaimLoop } from "./claim-loop.js";
import { drainAttempts } from "./drain-attempts.js";
import { EndpointHealthMonitor } from "./endpoint-health-monitor.js";
import { IdempotencyKeyPruner } from "./idempotency-key-pruner.js";
import { LeaseHeartbeat } from "./lease-heartbeat.js";
import { LeaseSweeper } from "./lease-sweeper.js";
import { openHandoff } from "./local-handoff.js";
import { PartitionMaintainer } from "./partition-maintainer.js";
import { retryPolicyFrom } from "./retry-policy.js";
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
  /**
   * Opens a handoff of new deliveries for one Emit transaction (store/delivery-handoff.ts):
   * undefined when the workers take nothing now (not running, or every slot taken).
   */
  handoff(): LocalHandoff | undefined;
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
 * Puts the workers together: the claim loop claims batches (`claimBatch`) into the attempt
 * slots, the attempt runner makes and records each attempt, the heartbeat keeps this process's
 * leases, the sweeper frees those of dead processes, the pruner deletes expired idempotency
 * keys, the maintainer makes partitions ahead, drops those past retention and expires old
 * payloads (POSTHORN_PAYLOAD_RETENTION_DAYS), and the health monitor warns about and disables
 * endpoints that keep failing (README "Endpoint health").
 */
export function createDeliveryEngine(deps: DeliveryEngineDeps): DeliveryEngine {
  const { store, config, clock, transport, feed, due, logger, metrics, keyring, random } = deps;
  const owner = newId("worker");
  const leaseMs = config.leaseSeconds * 1000;
  const policy = retryPolicyFrom(config);
  const slots = new AttemptSlots(config.maxConcurrencyPerEndpoint);
  const recorder = new AttemptRecorder(store, owner, clock, { effects: attemptEffects(config), onDue: () => due.announce() });
  const runner = new AttemptRunner({ config, clock, transport, policy, random, recorder, feed, logger, metrics });
  const running = () => slots.deliveryIds();
  const heartbeat = new LeaseHeartbeat({ store, owner, leaseMs, clock, logger, running: () => slots.deliveries() });
  /** The sweeper freed deliveries: announce the abandoned attempts it recorded, and claim. */
  const onFreed = (attemptIds: string[]) => {
    // The sweeper records each as an attempt of error kind `abandoned`.
    metrics.attemptErrors.inc({ error_kind: "abandoned" }, attemptIds.length);
    attemptIds.forEach((id) => feed.publish(id));
    loop.wake();
  };
  const sweeper = new LeaseSweeper({ store, leaseMs, clock, logger, policy, random, running, onFreed, operationalCustomerId: config.operationalCustomerId });
  const pruner = new IdempotencyKeyPruner({ store, clock, logger });
  const health = new EndpointHealthMonitor({ store, config, clock, logger, metrics, onDue: () => due.announce() });
  const maintainer = new PartitionMaintainer({ store, clock, logger, metrics: metrics.retention, retentionDays: config.retentionDays, payloadRetentionDays: config.payloadRetentionDays, prune: config.prune });
  const claimDeps: ClaimBatchDeps = { store, owner, leaseMs, clock, config, slots, keyring, logger, mayStart: () => loop.mode === "running", rateLimited, start: startAttempt };
  const loop: ClaimLoop = new ClaimLoop({
    claim: () => claimBatch(claimDeps),
    inFlight: () => slots.size,
    maxConcurrency: config.maxConcurrency,
    claimBatchSize: config.claimBatchSize,
    pollIntervalMs: config.pollIntervalMs,
    availability: store.availability,
    logger,
  });
  let unlisten: (() => void) | undefined;

  /** Deliveries were given back to wait for rate-limit slots: count them, and claim again when reserved slots are due. */
  function rateLimited(throttled: number, wakeAtMs: number[]): void {
    if (throttled > 0) metrics.deliveriesThrottled.inc(throttled);
    const nowMs = clock.nowMs();
    for (const at of wakeAtMs) loop.wakeAfter(at - nowMs);
  }

  /** Runs the attempt of a claimed delivery in its slot; the slot is freed when it finished. */
  function startAttempt(delivery: ClaimedDelivery, origin: string, secrets: SigningSecret[], claim: SpanContext | undefined): void {
    const abort = new AbortController();
    const done = runner
      .run(delivery, origin, secrets, abort.signal, claim)
      .catch((error: unknown) =>
        logger.error(
          { err: error, delivery_id: delivery.id, attempt: delivery.attempt_number },
          "attempt outcome could not be recorded; when its lease runs out it is recorded as abandoned and retried",
        ),
      )
      .finally(() => {
        slots.vacate(delivery.id);
        loop.attemptFinished();
      });
    slots.occupy(delivery.id, { createdAt: delivery.created_at, subscriptionId: delivery.subscription_id, origin, abort, done });
  }

  return {
    owner,
    async start() {
      await loop.start(async () => {
        unlisten = await due.listen(() => loop.wake());
        heartbeat.start();
        await sweeper.start();
        await pruner.start();
        await maintainer.start();
        await health.start();
      });
    },
    wake: () => loop.wake(),
    handoff: () => openHandoff(claimDeps),
    idle: () => loop.idle(),
    async stop() {
      if (loop.mode === "stopped" || loop.mode === "draining") return;
      unlisten?.();
      await loop.drain();
      // The heartbeat keeps running: attempts in flight keep their leases while they finish.
      const aborted = await drainAttempts(slots, { timeoutMs: config.shutdownTimeoutMs, logger, giveUpRecording: () => recorder.giveUp() });
      heartbeat.stop();
      sweeper.stop();
      pruner.stop();
      health.stop();
      await maintainer.stop();
      await Promise.race([transport.close(), new Promise((resolve) => setTimeout(resolve, 200).unref())]).catch(() => {});
      loop.stopped();
      logger.info({ aborted }, "delivery workers stopped");
    },
  };
}
