import { sql } from "kysely";
import type { Store } from "../database.js";
import type { SignatureSchemeName } from "../../domain/signature-scheme.js";
import type { StoredSecretEntry } from "../schema.js";

/** A claimed delivery with what an attempt needs: the stored body and the subscription's signing setup. */
export interface ClaimedDelivery {
  id: string;
  /** The delivery's (and its event's) `created_at`: the partition key of both. */
  created_at: Date;
  event_id: string;
  event_type: string;
  subscription_id: string;
  customer_id: string;
  /**
   * The number of the attempt this claim starts (1-based). The claim takes it, so every request
   * a receiver sees carries a new number, even after a crash: the sweeper records an attempt
   * that was started but never finished as `abandoned` under this number.
   */
  attempt_number: number;
  /** The subscription's current URL (a change applies to the next attempt). */
  endpoint_url: string;
  envelope: Uint8Array;
  /**
   * The event's payload expired (POSTHORN_PAYLOAD_RETENTION_DAYS) and `envelope` is empty. Never
   * so by construction (a day with a pending delivery keeps its payloads), but a race with
   * RetryDelivery could make it so: such a delivery is failed, never sent (`failPayloadExpiredDeliveries`).
   */
  payload_expired: boolean;
  /** As stored (sealed): opened just before signing (delivery/claim-batch.ts). */
  secrets: StoredSecretEntry[];
  signature_scheme: SignatureSchemeName;
  /** The event's W3C trace context (the Emit's), sent with the attempt; null: none. */
  traceparent: string | null;
  tracestate: string | null;
  /** The subscription's rate limit (0: none) and burst (0: one second's worth), see take-rate-slots.ts. */
  rate_limit_per_second: number;
  rate_limit_burst: number;
  /** Whether the subscription delivers in order (one at a time); its next waits for this one's end. */
  ordered: boolean;
  /** The subscription's failing spell as of the claim (null: healthy), for the health record. */
  failing_since: Date | null;
  /**
   * The rate-limit slot this delivery holds (it was throttled and is due at its slot,
   * release-throttled.ts); null: it holds none and takes one (take-rate-slots.ts).
   */
  rate_slot_at: Date | null;
}

/**
 * How many deliveries of each subscription a claim could start (its endpoint's room in the
 * claiming process): `busy` names those with attempts in flight (their room left), `each` is
 * everyone else's (the per-endpoint limit).
 */
export interface SubscriptionRoom {
  each: number;
  busy: ReadonlyMap<string, number>;
}

/**
 * Most due deliveries a claim reads in due order, looking past the skipped subscriptions' ones,
 * before it looks per subscription instead (`posthorn_claimable`, step 2).
 */
const CLAIM_WINDOW = 128;

/**
 * Claims up to `limit` due deliveries for `owner` with ONE statement: pending, unleased
 * deliveries due at `now`, oldest due first, locked `FOR UPDATE SKIP LOCKED` (so concurrent
 * workers in any process never claim the same row) by `posthorn_claimable` (migrations 0013, 0015);
 * the UPDATE takes their lease until `now + leaseMs` and the next attempt number
 * (`attempt_count + 1`) and returns the event body (and trace context) and the subscription's
 * secrets. (graphile/worker `getJobs.ts` does the same.) A claimed delivery that is not sent
 * after all must be given back with `releaseLeases`, which returns its number.
 *
 * Deliveries of `skipSubscriptions` (endpoints whose share of this worker is full) are left for
 * later or for another worker, and their backlog is not read (issue 18: claim cost independent
 * of the backlog). The function walks the due deliveries in due order past the skipped ones'
 * for at most `CLAIM_WINDOW`, and only when it found none of the others there, visits each
 * subscription that has pending deliveries once (a skip scan over
 * `deliveries_due_by_subscription`): its cost grows with the number of such subscriptions, never
 * with a backlog. Either way it takes no more of a subscription than `room` says its endpoint
 * could start (migration 0015; more would be given back, due a second later; default: `limit`
 * each), so it may take fewer than `limit` while more are due: the caller claims again when a
 * subscription got all its room (delivery/claim-batch.ts `more`).
 *
 * The claim's plans do not depend on the table's statistics at the time they were made (each
 * trap measured, docs/performance.md): the function's are generic and index-only (see 0013),
 * and the UPDATE looks each locked row up by key because the function promises one row (ROWS 1).
 * Expecting more, a plan made while the table was small hashed the whole `deliveries` table on
 * every later claim (W1 at two thirds of its rate), and one made on a large table did the same
 * (27 ms a claim with 75,000 rows, growing with retention).
 *
 * Prepared (`runPrepared`): planned per run, this join over two partitioned tables costs about
 * 11 ms with 38 day partitions; the generic plan is reused and pruned at run time.
 */
export async function claimDeliveries(
  store: Pick<Store, "db" | "runPrepared">,
  owner: string,
  limit: number,
  now: Date,
  leaseMs: number,
  skipSubscriptions: readonly string[] = [],
  room: SubscriptionRoom = { each: limit, busy: new Map() },
): Promise<ClaimedDelivery[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const query = sql<ClaimedDelivery>`
    WITH due AS (
      SELECT c.id, c.created_at
      FROM posthorn_claimable(${now}, ${limit}, ${skipSubscriptions}::text[], ${CLAIM_WINDOW}, ${room.each},
                              ${[...room.busy.keys()]}::text[], ${[...room.busy.values()]}::integer[]) AS c
    )
    UPDATE deliveries AS d
    SET lease_owner = ${owner}, lease_expires_at = ${leaseUntil}, leased_at = ${now}, attempt_count = d.attempt_count + 1
    FROM due, events AS e, subscriptions AS s
    WHERE d.id = due.id AND d.created_at = due.created_at AND e.id = d.event_id AND e.created_at = d.created_at
      AND s.id = d.subscription_id
    RETURNING d.id, d.created_at, d.event_id, d.event_type, d.subscription_id, d.customer_id, d.attempt_count AS attempt_number,
              s.endpoint_url, e.envelope, e.payload_expired_at IS NOT NULL AS payload_expired, s.secrets, s.signature_scheme, e.traceparent, e.tracestate,
              s.rate_limit_per_second, s.rate_limit_burst, s.ordered, s.failing_since,
              CASE WHEN d.rate_slot_at = d.next_attempt_at THEN d.rate_slot_at END AS rate_slot_at`.compile(store.db);
  return store.runPrepared("posthorn_claim_deliveries", query);
}
