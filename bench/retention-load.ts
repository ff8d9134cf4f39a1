/**
 * The history the retention benchmark prunes (issue 14): `days` full past days (UTC) of final
 * events, deliveries and attempts, bulk-inserted with `INSERT … SELECT … generate_series`
 * straight into the partitioned tables, one statement (and transaction) per day.
 *
 * Shape: the events belong to `HISTORY_CUSTOMERS` customers (`cus_hist_N`, not the load
 * generator's), each with `SUBSCRIPTIONS_PER_CUSTOMER` disabled subscriptions, so an event has
 * 4 deliveries and a delivery 1–4 attempts (2.5 on average): 10 attempts per event. Events are
 * spread evenly over each day; ids have the layout of domain/ids.ts (the created_at in the first
 * 12 hex digits, then 12 random hex digits), an attempt's id carries its delivery's created_at.
 * Envelopes are small canonical-looking JSON (~170 bytes), attempts carry a `v1,` signature.
 */
import { ensurePartitions, PARTITION_MS } from "../server/src/store/partitions.js";
import type { Store } from "../server/src/store/database.js";
import { sql } from "kysely";

const HISTORY_CUSTOMERS = 50;
const SUBSCRIPTIONS_PER_CUSTOMER = 4;
/** Attempts per event: 4 deliveries × 2.5 attempts. */
export const ATTEMPTS_PER_EVENT = 10;

export interface HistoryLoad {
  events: number;
  deliveries: number;
  attempts: number;
  /** Wall time of the inserts, seconds (partitions and subscriptions included, VACUUM not). */
  loadSeconds: number;
  /** Start of the oldest and of the newest loaded day, unix ms. */
  firstDayMs: number;
  lastDayMs: number;
}

/**
 * Loads `attempts` attempts (rounded to whole events per day) over the `days` days before the
 * UTC day of `nowMs`. The store must be migrated and have at least one subscription (its sealed
 * secret is copied, so the history's subscriptions read like real ones). `onDay` hears progress.
 */
export async function loadHistory(store: Store, options: { nowMs: number; days: number; attempts: number; onDay?: (done: number) => void }): Promise<HistoryLoad> {
  const started = performance.now();
  const today = Math.floor(options.nowMs / PARTITION_MS) * PARTITION_MS;
  const firstDayMs = today - options.days * PARTITION_MS;
  const lastDayMs = today - PARTITION_MS;
  await ensurePartitions(store.db, firstDayMs, lastDayMs);
  await sql`
    INSERT INTO subscriptions (id, customer_id, endpoint_url, event_types, enabled, description, signature_scheme, secrets, disabled_reason, created_at, updated_at)
    SELECT 'sub_' || substr(md5(c || '-' || k), 1, 24), 'cus_hist_' || c, 'https://hist-' || c || '-' || k || '.example/hooks',
      '{}', false, 'retention bench history', 'v1', (SELECT secrets FROM subscriptions LIMIT 1), 'bench history',
      to_timestamp(${firstDayMs / 1000}), to_timestamp(${firstDayMs / 1000})
    FROM generate_series(0, ${HISTORY_CUSTOMERS - 1}) AS c, generate_series(0, ${SUBSCRIPTIONS_PER_CUSTOMER - 1}) AS k`.execute(store.db);

  const eventsPerDay = Math.max(1, Math.round(options.attempts / ATTEMPTS_PER_EVENT / options.days));
  const totals = { events: 0, deliveries: 0, attempts: 0 };
  for (let day = 0; day < options.days; day++) {
    const counts = await loadDay(store, firstDayMs + day * PARTITION_MS, eventsPerDay);
    totals.events += counts.events;
    totals.deliveries += counts.deliveries;
    totals.attempts += counts.attempts;
    options.onDay?.(day + 1);
  }
  return { ...totals, loadSeconds: (performance.now() - started) / 1000, firstDayMs, lastDayMs };
}

/**
 * One day's events with their deliveries and attempts, in one statement (data-modifying CTEs).
 * A delivery's attempt count and outcome come from a hash of its ids (1–4 attempts; a quarter of
 * the 4-attempt ones failed for good), attempt n starting (2^(n−1) − 1) × 5 s after the event.
 */
async function loadDay(store: Store, dayMs: number, events: number): Promise<{ events: number; deliveries: number; attempts: number }> {
  const { rows } = await sql<{ events: string; deliveries: string; attempts: string }>`
    WITH s AS (
      SELECT g, ms, 'evt_' || lpad(to_hex(ms), 12, '0') || substr(md5(random()::text), 1, 12) AS id
      FROM (SELECT g, ${dayMs}::bigint + g * ${PARTITION_MS}::bigint / ${events} AS ms FROM generate_series(0, ${events - 1}) AS g) AS t
    ), e AS (
      INSERT INTO events (id, customer_id, type, envelope, created_at)
      SELECT id, 'cus_hist_' || (g % ${HISTORY_CUSTOMERS}), 'order.paid',
        convert_to(format('{"data":{"amount":%s,"currency":"EUR","order_id":"ord_%s"},"id":"%s","timestamp":%s,"type":"order.paid"}', g % 100000, g, id, ms / 1000), 'UTF8'),
        to_timestamp(ms / 1000.0)
      FROM s
      RETURNING id, customer_id, type, created_at
    ), d AS (
      INSERT INTO deliveries (id, event_id, subscription_id, customer_id, event_type, endpoint_url, state, attempt_count, final_reason, created_at, updated_at)
      SELECT 'dlv_' || substr(e.id, 5, 12) || substr(md5(random()::text), 1, 12), e.id, sub.id, e.customer_id, e.type, sub.endpoint_url,
        CASE WHEN n.count = 4 AND n.h / 4 % 4 = 0 THEN 'failed' ELSE 'succeeded' END, n.count,
        CASE WHEN n.count = 4 AND n.h / 4 % 4 = 0 THEN 'HTTP 503 after 4 attempts' ELSE '' END,
        e.created_at, e.created_at + ((1 << (n.count - 1)) - 1) * interval '5 seconds' + interval '80 milliseconds'
      FROM e
      JOIN subscriptions AS sub ON sub.customer_id = e.customer_id
      CROSS JOIN LATERAL (SELECT abs(hashtext(e.id || sub.id)::bigint) AS h) AS hash
      CROSS JOIN LATERAL (SELECT hash.h AS h, 1 + (hash.h % 4)::int AS count) AS n
      RETURNING id, state, attempt_count, created_at
    ), a AS (
      INSERT INTO attempts (id, delivery_id, attempt_number, started_at, status_code, duration_ms, error_kind, error_message,
        response_excerpt, signature, succeeded, will_retry, delivery_created_at)
      SELECT 'att_' || substr(d.id, 5, 12) || substr(md5(random()::text), 1, 12), d.id, k.n,
        d.created_at + ((1 << (k.n - 1)) - 1) * interval '5 seconds',
        CASE WHEN o.ok THEN 200 ELSE 503 END, 20 + abs(hashtext(d.id)::bigint) % 200, NULL,
        CASE WHEN o.ok THEN '' ELSE 'HTTP 503' END, CASE WHEN o.ok THEN '{"ok":true}' ELSE 'Service Unavailable' END,
        'v1,' || encode(sha256(convert_to(d.id || k.n, 'UTF8')), 'base64'), o.ok, k.n < d.attempt_count, d.created_at
      FROM d
      CROSS JOIN LATERAL generate_series(1, d.attempt_count) AS k(n)
      CROSS JOIN LATERAL (SELECT k.n = d.attempt_count AND d.state = 'succeeded' AS ok) AS o
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM e) AS events, (SELECT count(*) FROM d) AS deliveries, (SELECT count(*) FROM a) AS attempts`.execute(store.db);
  const row = rows[0]!;
  return { events: Number(row.events), deliveries: Number(row.deliveries), attempts: Number(row.attempts) };
}
