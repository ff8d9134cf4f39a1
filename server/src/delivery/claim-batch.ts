import type { Span, SpanContext } from "@opentelemetry/api";
import type { Config } from "../config/config.js";
import type { Clock } from "../domain/clock.js";
import type { SigningSecret } from "../domain/secret.js";
import { traceIdsOf, type Logger } from "../observability/logger.js";
import { posthornTracer } from "../observability/trace-context.js";
import { SecretUnsealError } from "../secrets/secret-cipher.js";
import type { SecretKeyring } from "../secrets/secret-keyring.js";
import type { Store } from "../store/database.js";
import { claimDeliveries, type ClaimedDelivery, type SubscriptionRoom } from "../store/sql/claim-deliveries.js";
import { failPayloadExpiredDeliveries } from "../store/sql/fail-payload-expired-deliveries.js";
import { releaseLeases } from "../store/sql/release-leases.js";
import { passTurns } from "../store/ordered-turns.js";
import { endpointOrigin, type AttemptSlots } from "./attempt-slots.js";
import { passRateLimits } from "./rate-gate.js";
import type { ClaimOutcome } from "./claim-loop.js";

/**
 * How long a delivery whose signing secret cannot be opened (its key is not configured here)
 * waits before it is claimed again, ms. It is given back without an attempt, so a key missing
 * from one process's configuration delays deliveries but never fails them.
 */
export const UNSEALABLE_RETRY_MS = 60_000;

export interface ClaimBatchDeps {
  store: Store;
  /** This process's lease owner id. */
  owner: string;
  /** Lease length, ms. */
  leaseMs: number;
  clock: Clock;
  config: Pick<Config, "maxConcurrency" | "claimBatchSize" | "attemptTimeoutMs">;
  slots: AttemptSlots;
  keyring: SecretKeyring;
  logger: Logger;
  /** Whether attempts may start now (false once the loop paused or is draining). */
  mayStart: () => boolean;
  /**
   * `throttled` claimed deliveries were given back to wait for their rate-limit slots: count
   * them, and look for due deliveries again at each of `wakeAtMs` (epoch ms, rate-gate.ts).
   */
  rateLimited: (throttled: number, wakeAtMs: number[]) => void;
  /** Starts the attempt of a claimed delivery (it takes a slot until it finished); `claim` is the claim's span. */
  start: (delivery: ClaimedDelivery, origin: string, secrets: SigningSecret[], claim: SpanContext | undefined) => void;
}

/**
 * Claims what can start now (free slots, endpoints below their limit, no more of an endpoint than
 * its room) and starts it; returns how many were claimed and whether due deliveries may have
 * been left out (`ClaimOutcome`). Claimed deliveries that cannot start are given back without an attempt:
 * those of an endpoint at its limit (two of one endpoint in one batch) or claimed while the loop
 * stopped running are due again shortly, all of a claim answered after its lease could have run
 * out (a frozen process) at once, and those whose signing secret cannot be opened after
 * `UNSEALABLE_RETRY_MS`. Those of a rate-limited subscription without a free slot wait for the
 * slot reserved for them (rate-gate.ts). One whose event's payload expired is failed without an attempt (never
 * an empty POST). A claim that took deliveries is a span (`claim deliveries`), which each
 * attempt it starts links to.
 */
export async function claimBatch(deps: ClaimBatchDeps): Promise<ClaimOutcome> {
  const { store, owner, leaseMs, clock, config, slots } = deps;
  const free = Math.min(config.maxConcurrency - slots.size, config.claimBatchSize);
  if (free <= 0) return { claimed: 0, more: true };
  const startMs = clock.nowMs();
  const startedAt = new Date(); // the span's start: real time, not the injected clock
  // Subscriptions whose endpoint is at its limit here are not claimed at all.
  const { saturated, room } = slots.claimRoom();
  const claimed = await claimDeliveries(store, owner, free, new Date(startMs), leaseMs, saturated, room);
  // An empty claim (an idle poll, every poll interval) makes no span: only claims that took work.
  const span = claimed.length > 0 ? claimSpan(startedAt, free, claimed.length) : undefined;
  const stale = clock.nowMs() >= startMs + (leaseMs * 2) / 3;
  const deferred: ClaimedDelivery[] = [];
  const unsealable: ClaimedDelivery[] = [];
  const expired: ClaimedDelivery[] = [];
  const candidates: ClaimedDelivery[] = [];
  for (const delivery of claimed) {
    if (delivery.payload_expired || delivery.envelope.length === 0) expired.push(delivery);
    else if (stale || !deps.mayStart()) deferred.push(delivery);
    else candidates.push(delivery);
  }
  // Rate limits first: a throttled delivery would not start now whatever the endpoint's
  // concurrency, and one holding its reserved slot must not be pushed out of it by others.
  const gate = await passRateLimits(store, owner, candidates, clock);
  // A rate-limit slot taken by one given back here is left unused: the endpoint gets less, never more.
  startEach(gate.send, deps, { deferred, unsealable }, span?.spanContext());
  if (gate.throttled.length > 0 || gate.wakeAtMs.length > 0) deps.rateLimited(gate.throttled.length, gate.wakeAtMs);
  span?.setAttributes({
    "posthorn.claim.deferred": deferred.length,
    "posthorn.claim.unsealable": unsealable.length,
    "posthorn.claim.throttled": gate.throttled.length,
  });
  span?.end();
  await giveBack({ deferred, unsealable }, deps, stale);
  if (expired.length > 0) await failExpired(expired, deps);
  // Idle polls (nothing claimed, nothing held back) are not logged: one line a second says nothing.
  // The level check comes first: the line's fields would be computed for every busy claim.
  if (deps.logger.isLevelEnabled("debug") && (claimed.length > 0 || saturated.length > 0)) {
    deps.logger.debug(
      {
        asked: free,
        claimed: claimed.length,
        deferred: deferred.length,
        // Given back to wait for their rate-limit slot (rate-gate.ts); the next one is due at next_slot.
        throttled: gate.throttled.length,
        ...(gate.throttled.length === 0 ? {} : { next_slot: new Date(Math.min(...gate.throttled.map((d) => d.slotAt.getTime()))).toISOString() }),
        unsealable: unsealable.length,
        stale,
        // Endpoints at POSTHORN_MAX_CONCURRENCY_PER_ENDPOINT: their subscriptions were not claimed, or their deliveries given back.
        skipped_subscriptions: saturated.length,
        limited_origins: slots.saturatedOrigins(),
        // Written after the claim's span ended, so the mixin cannot see it: name it here.
        ...traceIdsOf(span?.spanContext()),
      },
      "claim",
    );
  }
  const more = claimed.length === free || saturated.length > 0 || deferred.length > 0 || tookAllRoom(claimed, room);
  return { claimed: claimed.length, more };
}

/**
 * Whether the claim took as many of some subscription as its endpoint had room for here: the
 * claim leaves the rest of that subscription's due deliveries for later (claim-deliveries.ts),
 * so a slot freed at that endpoint should look again.
 */
function tookAllRoom(claimed: readonly ClaimedDelivery[], room: SubscriptionRoom): boolean {
  const taken = new Map<string, number>();
  for (const { subscription_id: id } of claimed) {
    const count = (taken.get(id) ?? 0) + 1;
    if (count >= (room.busy.get(id) ?? room.each)) return true;
    taken.set(id, count);
  }
  return false;
}

/** Leased deliveries that did not start: `deferred` (due again shortly) and `unsealable` (after `UNSEALABLE_RETRY_MS`). */
export interface NotStarted {
  deferred: ClaimedDelivery[];
  unsealable: ClaimedDelivery[];
}

/**
 * Starts each of `deliveries` (leased to this process: claimed, or handed off at emit) whose
 * endpoint is below its limit and whose secrets open; adds the others to `notStarted`.
 * `claim`: the claim's span, which each attempt links to.
 */
export function startEach(deliveries: readonly ClaimedDelivery[], deps: ClaimBatchDeps, notStarted: NotStarted, claim?: SpanContext): void {
  for (const delivery of deliveries) {
    const origin = endpointOrigin(delivery.endpoint_url);
    if (deps.slots.atLimit(origin)) {
      notStarted.deferred.push(delivery);
      continue;
    }
    const secrets = openSecrets(delivery, deps);
    if (secrets === undefined) notStarted.unsealable.push(delivery);
    else deps.start(delivery, origin, secrets, claim);
  }
}

/**
 * Gives back leased deliveries that did not start, without an attempt (`releaseLeases`): the
 * deferred ones due again in min(1 s, half the attempt timeout) — at once when `stale` (their
 * lease may have run out) — and the unsealable ones after `UNSEALABLE_RETRY_MS`.
 */
export async function giveBack({ deferred, unsealable }: NotStarted, deps: ClaimBatchDeps, stale = false): Promise<void> {
  const { store, owner, clock, config } = deps;
  if (deferred.length > 0) {
    const dueAt = new Date(clock.nowMs() + (stale ? 0 : Math.min(1000, config.attemptTimeoutMs / 2)));
    await releaseLeases(store.db, owner, deferred, dueAt);
  }
  if (unsealable.length > 0) await releaseLeases(store.db, owner, unsealable, new Date(clock.nowMs() + UNSEALABLE_RETRY_MS));
}

/**
 * The span of one claim that took `claimed` deliveries (asked for at most `limit`), from
 * `startedAt`; its own trace (the deliveries belong to many), ended by the caller.
 */
function claimSpan(startedAt: Date, limit: number, claimed: number): Span {
  return posthornTracer().startSpan("claim deliveries", {
    startTime: startedAt,
    root: true,
    attributes: { "posthorn.claim.limit": limit, "posthorn.claim.count": claimed },
  });
}

/**
 * Fails deliveries whose payload expired (claim-deliveries.ts `payload_expired`), with an error
 * line naming them; the next delivery of an ordered subscription goes then (same transaction).
 */
async function failExpired(expired: ClaimedDelivery[], { store, owner, clock, logger }: ClaimBatchDeps): Promise<void> {
  const now = new Date(clock.nowMs());
  await store.db.transaction().execute(async (trx) => {
    await failPayloadExpiredDeliveries(trx, owner, expired, now);
    await passTurns(trx, expired.filter((d) => d.ordered).map((d) => d.subscription_id), now);
  });
  logger.error(
    { delivery_ids: expired.map((d) => d.id), event_ids: [...new Set(expired.map((d) => d.event_id))] },
    "claimed deliveries whose event payload expired (POSTHORN_PAYLOAD_RETENTION_DAYS) were failed without an attempt",
  );
}

/**
 * The delivery's signing secrets, opened; undefined (and an error line naming the
 * subscription and the key id, never a secret) when one cannot be opened: the delivery is then
 * given back without an attempt, to be tried again later.
 */
function openSecrets(delivery: ClaimedDelivery, { keyring, logger }: ClaimBatchDeps): SigningSecret[] | undefined {
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
