import { sql, type RawBuilder } from "kysely";
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
 * Claims up to `limit` due deliveries for `owner`: pending, unleased deliveries due at `now`,
 * oldest due first, locked `FOR UPDATE SKIP LOCKED` (so concurrent workers in any process never
 * claim the same row) and leased by ONE statement: the UPDATE takes the lease until
 * `now + leaseMs` and the next attempt number (`attempt_count + 1`) and returns the event body
 * (and trace context) and the subscription's secrets. (graphile/worker `getJobs.ts` does the
 * same.) A claimed delivery that is not sent after all must be given back with `releaseLeases`,
 * which returns its number.
 *
 * Deliveries of `skipSubscriptions` (endpoints whose share of this worker is full) are left for
 * later or for another worker, and their backlog is not read (issue 18: claim cost independent
 * of the backlog): the claim looks at a window of the oldest due deliveries (`dueInWindow`),
 * and only when that gave nothing, at the oldest due ones of each other subscription
 * (`dueBehindSkipped`, a second statement).
 */
export async function claimDeliveries(
  store: Pick<Store, "db" | "runPrepared">,
  owner: string,
  limit: number,
  now: Date,
  leaseMs: number,
  skipSubscriptions: readonly string[] = [],
): Promise<ClaimedDelivery[]> {
  const lease = { owner, now, until: new Date(now.getTime() + leaseMs) };
  if (skipSubscriptions.length === 0) {
    return store.runPrepared("posthorn_claim_deliveries", leaseQuery(store, dueOldest(now, limit), lease));
  }
  return store.runPrepared("posthorn_claim_around_skipped", leaseQuery(store, dueAroundSkipped(now, limit, skipSubscriptions), lease));
}

/**
 * The claim's statement around `due`, a CTE that locks the rows to claim and holds their keys as
 * two arrays (`ids`, `times`), which the UPDATE unnests. Arrays, not a row set: the planner counts
 * an unnested array as 10 rows, so it looks each one up by key. Joined to a CTE, it expected
 * `LIMIT $n` (a generic plan's unknown) to keep a tenth of the pending rows and hashed the whole
 * `deliveries` table instead, every partition, ended deliveries included: 27 ms a claim with
 * 75,000 rows, growing with retention (measured, docs/performance.md).
 *
 * Prepared (`runPrepared`): planned per run, this join over two partitioned tables costs about
 * 11 ms with 38 day partitions; the generic plan is reused and pruned at run time.
 */
function leaseQuery(store: Pick<Store, "db">, due: RawBuilder<unknown>, lease: { owner: string; now: Date; until: Date }) {
  return sql<ClaimedDelivery>`
    WITH ${due}
    UPDATE deliveries AS d
    SET lease_owner = ${lease.owner}, lease_expires_at = ${lease.until}, leased_at = ${lease.now}, attempt_count = d.attempt_count + 1
    FROM unnest((SELECT ids FROM due), (SELECT times FROM due)) AS due(id, created_at), events AS e, subscriptions AS s
    WHERE d.id = due.id AND d.created_at = due.created_at AND e.id = d.event_id AND e.created_at = d.created_at
      AND s.id = d.subscription_id
    RETURNING d.id, d.created_at, d.event_id, d.event_type, d.subscription_id, d.customer_id, d.attempt_count AS attempt_number,
              s.endpoint_url, e.envelope, e.payload_expired_at IS NOT NULL AS payload_expired, s.secrets, s.signature_scheme, e.traceparent, e.tracestate,
              s.rate_limit_per_second, s.rate_limit_burst, s.ordered, s.failing_since,
              CASE WHEN d.rate_slot_at = d.next_attempt_at THEN d.rate_slot_at END AS rate_slot_at`.compile(store.db);
}

/** `due` with nothing skipped: the oldest due deliveries (`deliveries_due`, in due order). */
function dueOldest(now: Date, limit: number): RawBuilder<unknown> {
  return sql`due AS (
      SELECT array_agg(l.id) AS ids, array_agg(l.created_at) AS times FROM (
        SELECT id, created_at FROM deliveries
        WHERE state = 'pending' AND lease_owner IS NULL AND next_attempt_at <= ${now}
        ORDER BY next_attempt_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ) AS l
    )`;
}

/**
 * `due` with some subscriptions skipped: `posthorn_claimable` (migration 0013) locks the oldest
 * due deliveries of the others without reading the skipped ones' backlog. Walking
 * `deliveries_due` until `limit` of theirs turned up read every due delivery of a skipped
 * subscription older than theirs: a slow endpoint's whole backlog, on every claim. The function
 * reads a window of the oldest `2 × limit + 100` due deliveries of everyone and, only when that
 * gave nothing, visits each subscription that has pending deliveries once (a skip scan over
 * `deliveries_due_by_subscription`): its cost grows with the number of such subscriptions,
 * never with a backlog. A window that gave some is not followed by the skip scan: a claim that
 * took some is followed by another (delivery/claim-batch.ts `more`).
 */
function dueAroundSkipped(now: Date, limit: number, skip: readonly string[]): RawBuilder<unknown> {
  return sql`due AS (
      SELECT array_agg(c.id) AS ids, array_agg(c.created_at) AS times
      FROM posthorn_claimable(${now}, ${limit}, ${skip}::text[]) AS c
    )`;
}
