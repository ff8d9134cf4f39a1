import { sql } from "kysely";
import type { Store } from "../database.js";
import type { NewEvent } from "../new-event.js";
import { idempotencyKeysClaim } from "./claim-idempotency-keys.js";
import { eventsInsert } from "./insert-events.js";
import { pendingDeliveriesInsert, type InsertLease, type NewDelivery } from "./insert-pending-deliveries.js";

/** What `emitInOneStatement` writes, and the premises it writes it under. */
export interface OneStatementEmit {
  /** Events, every key (if any) distinct per customer. */
  events: readonly NewEvent[];
  /** Their deliveries, fanned out from `subscriptions`. */
  deliveries: readonly NewDelivery[];
  /** The events' customers, each once. */
  customerIds: readonly string[];
  /**
   * Premise: the live, enabled subscriptions of `customerIds` are exactly these, as
   * `id@version` (`FanOutSubscription.version`).
   */
  subscriptions: readonly string[];
  now: Date;
  /** How long a claimed idempotency key is kept, ms (persist-events.ts `IDEMPOTENCY_TTL_MS`). */
  idempotencyTtlMs: number;
  /** The lease of the deliveries marked `leased` (handed to this process's workers). */
  lease: InsertLease | undefined;
}

/** SQLSTATE of `posthorn_require` (migration 0014): a premise of the statement was false. */
const PREMISE_FAILED = "PH001";

/**
 * An Emit in ONE autocommit statement, one round trip where the full path (emit-events.ts)
 * takes five (BEGIN, the keys, the subscriptions, the rows, COMMIT): it claims the idempotency
 * keys, locks the customers' subscriptions FOR SHARE, checks the premises, and inserts the
 * events and their deliveries (issue 18: the Emit call's latency). Atomic as a transaction
 * is (a statement is one), and durable when it returns, like a COMMIT.
 *
 * Premises, checked by `posthorn_require` before any event or delivery is written:
 * - the live subscriptions are exactly `subscriptions` (same ids, same digests): the
 *   fan-out the caller made from what it saw is the one the full path would make now. Locked
 *   FOR SHARE as the full path locks them, so a delete or disable running now either finished
 *   first (then the check fails) or waits for this statement (and then cancels its deliveries);
 * - every idempotency key was claimed by its event (new, or expired: `idempotencyKeysClaim`'s
 *   rule): no event is a replay, so there is no original to answer with.
 *
 * Its locks: the subscriptions FOR SHARE, then the keys (the full path takes the keys first).
 * The two orders cannot wait on each other in a cycle: both only share-lock subscriptions, and
 * a subscription's writer (FOR UPDATE: delete, disable, update) takes no key before it.
 *
 * Returns each event's `seq` by event id, or undefined when a premise was false: then nothing
 * was written, and the caller takes the full path. Other errors (the database unreachable, an
 * outcome unknown) are thrown as they are: the caller must not try again blindly.
 *
 * Prepared (`runPrepared`): the SQL text is the same for any number of events and deliveries
 * (column arrays through `unnest`), so it is planned once per connection.
 */
export async function emitInOneStatement(store: Pick<Store, "db" | "runPrepared">, emit: OneStatementEmit): Promise<Map<string, string> | undefined> {
  const { events, now } = emit;
  const keyed = events.filter((event) => event.idempotencyKey !== "");
  const premise = sql<boolean>`(SELECT ok FROM premise)`;
  const query = sql<{ id: string; seq: string }>`
    WITH live AS (
      SELECT id || '@' || posthorn_fan_out_digest(subscriptions) AS version FROM subscriptions
      WHERE customer_id = ANY(${emit.customerIds}::text[]) AND enabled AND deleted_at IS NULL
      FOR SHARE
    ), claimed AS (${idempotencyKeysClaim(keyed, now, emit.idempotencyTtlMs)}
    ), premise AS (
      SELECT posthorn_require(seen @> expected AND seen <@ expected, 'the fan-out snapshot is stale')
         AND posthorn_require((SELECT count(*) FROM claimed) = ${keyed.length}, 'an idempotency key is taken') AS ok
      FROM (SELECT coalesce(array_agg(version), '{}') AS seen, ${emit.subscriptions}::text[] AS expected FROM live) AS versions
    ), stored AS (${eventsInsert(events, premise)}
    ), fanned AS (${pendingDeliveriesInsert(emit.deliveries, now, emit.lease, premise)})
    SELECT id, seq FROM stored`.compile(store.db);
  try {
    const rows = await store.runPrepared("posthorn_emit_in_one_statement", query);
    return new Map(rows.map((row) => [row.id, row.seq]));
  } catch (error) {
    if ((error as { code?: unknown }).code === PREMISE_FAILED) return undefined;
    throw error;
  }
}
