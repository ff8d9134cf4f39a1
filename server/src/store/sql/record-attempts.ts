import { sql, type CompiledQuery, type Kysely } from "kysely";
import type { Store } from "../database.js";
import type { AttemptRow } from "../rows.js";
import type { DeliveryStateName } from "../../domain/delivery-state.js";
import type { Database } from "../schema.js";
import type { ClaimedDelivery } from "./claim-deliveries.js";
import { lockSubscriptionsForUpdate } from "./lock-subscriptions-for-update.js";

/** The delivery an attempt was for, as its claim read it: what goes with the outcome needs it. */
export type AttemptedDelivery = Pick<
  ClaimedDelivery,
  "id" | "created_at" | "event_id" | "event_type" | "subscription_id" | "customer_id" | "endpoint_url" | "ordered" | "failing_since"
>;

/** What an attempt did to its delivery. */
export interface AttemptResult {
  /** The attempt row to store (text must not contain U+0000, which PostgreSQL text refuses). */
  attempt: AttemptRow;
  /** The delivery's new state. */
  state: DeliveryStateName;
  /** When the next attempt is due (state pending only). */
  nextAttemptAt: Date | null;
  finalReason: string;
  /** Disable the subscription (410 Gone), with this reason. */
  disableSubscription?: { id: string; reason: string };
  /** The delivery attempted. */
  delivery: AttemptedDelivery;
}

export interface RecordedAttempt {
  attempt: AttemptRow;
  /**
   * Whether the delivery took the attempt's outcome as its new state. False when `owner` had
   * lost the lease (the delivery was canceled meanwhile, or its lease ran out and was swept):
   * only the attempt row was written (replacing the sweeper's `abandoned` row for the same
   * number), and the delivery was left as the canceler or sweeper set it.
   */
  deliveryUpdated: boolean;
}

/**
 * A change that goes with a batch of recorded attempts, in the same transaction (so a crash
 * never leaves one without the other): disabling on 410 Gone, the endpoint's health record,
 * the next delivery of an ordered subscription, operational events.
 */
export interface AttemptBatchEffect {
  /** Whether the batch needs this effect; only then is the batch written in a transaction. */
  applies(results: readonly AttemptResult[]): boolean;
  /**
   * The ids of the subscriptions `apply` will write (e.g. a failing spell, a 410 Gone disable).
   * They are locked FOR UPDATE, in id order, before the batch's delivery rows: the order every
   * transaction that changes a subscription and its deliveries keeps (DeleteSubscription,
   * UpdateSubscription, RetryDelivery lock the subscription, then the deliveries). Locked after
   * the delivery rows instead, a batch and such a call could each wait for the other, and
   * PostgreSQL would abort one of them (40P01) after `deadlock_timeout`.
   */
  subscriptionsToLock?(results: readonly AttemptResult[]): readonly string[];
  /**
   * Runs in the batch's transaction, after its attempts are written. `updated`: the ids of the
   * deliveries that took their attempt's outcome (see `RecordedAttempt.deliveryUpdated`).
   * Returns how many deliveries it made due (operational events, the next of an ordered
   * subscription), so the workers are woken after the commit.
   */
  apply(trx: Kysely<Database>, results: readonly AttemptResult[], updated: ReadonlySet<string>, now: Date): Promise<number>;
}

/** What `recordAttempts` does besides writing, and whom it tells. */
export interface RecordOptions {
  /** The effects to apply in the batch's transaction (default: none). */
  effects?: readonly AttemptBatchEffect[];
  /** Called after the commit when the effects made deliveries due (wake the workers). */
  onDue?: () => void;
}

/**
 * Records a batch of finished attempts with ONE statement whatever the batch size (the hot
 * path's write): the batch travels as column arrays (`unnest`), a data-modifying CTE inserts
 * the attempt rows, and the UPDATE sets each delivery's state and due time and drops its lease.
 * The update is fenced: only where `owner` still holds the lease for this very attempt number
 * (the claim took it), so a delivery canceled meanwhile stays canceled and a worker that
 * stalled past its lease cannot overwrite the outcome of the worker that took over. The
 * attempt row is written either way (the request was sent); if the sweeper already recorded
 * that number as `abandoned`, the real outcome replaces that row, id included (one row per
 * number; watchers get the abandoned attempt and then the real one).
 * One statement is atomic by itself, so no BEGIN/COMMIT round trips while no effect applies
 * (`options.effects`, e.g. 410 Gone disabling the subscription): then the subscriptions the
 * effects write are locked first (`AttemptBatchEffect.subscriptionsToLock`), and the statement
 * and the effects share one transaction. Without effects it runs as a named prepared statement
 * (`store.runPrepared`: its text is the same for every batch; parsed once per connection).
 * Results come back in input order.
 */
export async function recordAttempts(
  store: Pick<Store, "db" | "runPrepared">,
  owner: string,
  results: readonly AttemptResult[],
  now: Date,
  options: RecordOptions = {},
): Promise<RecordedAttempt[]> {
  if (results.length === 0) return [];
  const effects = (options.effects ?? []).filter((effect) => effect.applies(results));
  let madeDue = 0;
  // Prepared (fixed text whatever the batch): parsed once per connection. PostgreSQL still plans
  // each run with its values (custom plans, see the partition pruning below).
  const updated =
    effects.length === 0
      ? await writeBatch(store.db, (query) => store.runPrepared("posthorn_record_attempts", query), owner, results, now)
      : await store.db.transaction().execute(async (trx) => {
          await lockSubscriptionsForUpdate(trx, effects.flatMap((effect) => effect.subscriptionsToLock?.(results) ?? []));
          const run = async (query: CompiledQuery<{ id: string }>) => (await trx.executeQuery(query)).rows;
          const updated = await writeBatch(trx, run, owner, results, now);
          for (const effect of effects) madeDue += await effect.apply(trx, results, updated, now);
          return updated;
        });
  if (madeDue > 0) options.onDue?.();
  return results.map((r) => ({ attempt: r.attempt, deliveryUpdated: updated.has(r.attempt.delivery_id) }));
}

/** Returns the ids of the deliveries updated (those whose lease `owner` still had for this attempt). */
async function writeBatch(
  db: Kysely<Database>,
  run: (query: CompiledQuery<{ id: string }>) => Promise<{ id: string }[]>,
  owner: string,
  results: readonly AttemptResult[],
  now: Date,
): Promise<Set<string>> {
  const column = <T>(pick: (result: AttemptResult) => T): T[] => results.map(pick);
  const query = sql<{ id: string }>`
    WITH v AS (
      SELECT * FROM unnest(
        ${column((r) => r.attempt.id)}::text[], ${column((r) => r.attempt.delivery_id)}::text[],
        ${column((r) => r.attempt.delivery_created_at)}::timestamptz[],
        ${column((r) => r.attempt.attempt_number)}::integer[], ${column((r) => r.attempt.started_at)}::timestamptz[],
        ${column((r) => r.attempt.status_code)}::integer[], ${column((r) => r.attempt.duration_ms)}::integer[],
        ${column((r) => r.attempt.error_kind)}::text[], ${column((r) => r.attempt.error_message)}::text[],
        ${column((r) => r.attempt.response_excerpt)}::text[], ${column((r) => r.attempt.signature)}::text[],
        ${column((r) => r.attempt.succeeded)}::boolean[], ${column((r) => r.attempt.will_retry)}::boolean[],
        ${column((r) => r.state)}::text[], ${column((r) => r.nextAttemptAt)}::timestamptz[],
        ${column((r) => r.finalReason)}::text[]
      ) AS v (id, delivery_id, delivery_created_at, attempt_number, started_at, status_code, duration_ms, error_kind, error_message,
              response_excerpt, signature, succeeded, will_retry, state, next_attempt_at, final_reason)
    ), inserted AS (
      INSERT INTO attempts (id, delivery_id, delivery_created_at, attempt_number, started_at, status_code, duration_ms,
                            error_kind, error_message, response_excerpt, signature, succeeded, will_retry)
      SELECT id, delivery_id, delivery_created_at, attempt_number, started_at, status_code, duration_ms,
             error_kind, error_message, response_excerpt, signature, succeeded, will_retry
      FROM v
      ON CONFLICT (delivery_id, attempt_number, delivery_created_at) DO UPDATE
      SET id = excluded.id, started_at = excluded.started_at, status_code = excluded.status_code, duration_ms = excluded.duration_ms,
          error_kind = excluded.error_kind, error_message = excluded.error_message,
          response_excerpt = excluded.response_excerpt, signature = excluded.signature,
          succeeded = excluded.succeeded
      WHERE attempts.error_kind = 'abandoned'
    )
    UPDATE deliveries AS d
    SET state = v.state, next_attempt_at = v.next_attempt_at, final_reason = v.final_reason,
        lease_owner = NULL, lease_expires_at = NULL, leased_at = NULL, updated_at = ${now}
    FROM v
    WHERE d.id = v.delivery_id AND d.created_at = v.delivery_created_at
      -- The partitions to touch, as values PostgreSQL plans with: it keeps planning this statement per
      -- run (custom plans; a generic plan counts every partition and costs more), so they are pruned.
      AND d.created_at = ANY(${[...new Set(column((r) => r.attempt.delivery_created_at.getTime()))].map((ms) => new Date(ms))}::timestamptz[])
      AND d.lease_owner = ${owner} AND d.attempt_count = v.attempt_number
    RETURNING d.id`.compile(db);
  return new Set((await run(query)).map((row) => row.id));
}
