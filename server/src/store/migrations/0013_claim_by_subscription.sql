-- Claim cost independent of the backlog (issue 18). The claim takes due deliveries oldest first
-- but leaves out the subscriptions whose endpoint is at its concurrency limit in the claiming
-- process. Walking `deliveries_due` in due order, a claim had to read (and drop) every due
-- delivery of such a subscription that is older than the ones it takes: with 50,000 of them
-- ahead, each claim read 50,000 rows (238 ms), every time, while that endpoint stayed slow.

-- The unleased pending deliveries by subscription, in due order: one descent per partition finds
-- the next subscription that has any (a skip scan over the subscriptions, whatever their
-- backlog) and a subscription's oldest due ones. Only pending, unleased rows are in it, as in
-- `deliveries_due`: deliveries that ended or are in flight cost no entry.
CREATE INDEX deliveries_due_by_subscription ON deliveries (subscription_id, next_attempt_at)
  WHERE state = 'pending' AND lease_owner IS NULL AND next_attempt_at IS NOT NULL;

-- Locks (FOR UPDATE SKIP LOCKED) and returns up to p_limit pending, unleased deliveries due at
-- p_now, oldest due first, none of a subscription in p_skip; the claim (store/sql/claim-deliveries.ts)
-- leases them in the same statement. Two steps, so that neither costs more than a bounded read:
--   1. The oldest `window` due deliveries of all subscriptions (`deliveries_due`, as before),
--      those of p_skip dropped. When these give any, or when the window held every due delivery,
--      that is the answer: the common case, a read of about 2·p_limit index entries.
--   2. Otherwise the window was all p_skip's (or deliveries other claims hold): a skip scan
--      over `deliveries_due_by_subscription` visits each subscription with unleased pending
--      deliveries once (one index descent per partition, however many it has) and takes the
--      oldest due ones of those not in p_skip, merged in due order. Its cost grows with the
--      number of subscriptions that have pending deliveries, never with their backlog.
-- A function, as in 0012: its plans are kept per connection (PGlite included). Generic plans from
-- the first call on (plan_cache_mode): a custom plan is made for all ~40 day partitions each time
-- (10-40 ms a statement), a generic one once, and it prunes partitions when it runs.
-- enable_seqscan/bitmapscan off: each step has one good plan, index reads; a generic plan made
-- while the table was small or not yet analyzed must not read all pending rows on every claim
-- later. (enable_sort stays on: turned off, it adds 10^10 to the cost of the sorts that remain,
-- which set off JIT compilation.)
-- jit off: with every day partition's nodes in its plans, compiling them took 2 s of a 7 ms call
-- on PostgreSQL 15 (measured, when a disabled sort had pushed the cost past jit_above_cost); JIT
-- code is made again on every call, never kept with the plan.
-- ROWS 10: the caller joins the result to the partitioned deliveries and events by their keys; a
-- planner expecting 1,000 rows (the default) hashes whole tables instead of looking up each row
-- (it cannot count the partitions pruned at run time).
CREATE FUNCTION posthorn_claimable(p_now timestamptz, p_limit integer, p_skip text[])
RETURNS TABLE (id text, created_at timestamptz) LANGUAGE plpgsql ROWS 10
SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_bitmapscan = off SET jit = off AS $$
DECLARE
  window_size integer := 2 * p_limit + 100;
  seen integer;
  ids text[];
  times timestamptz[];
  taken integer;
  more integer;
  oldest_day timestamptz;
  newest_day timestamptz;
BEGIN
  SELECT count(*), array_agg(w.id ORDER BY w.next_attempt_at) FILTER (WHERE NOT (w.subscription_id = ANY(p_skip))),
         array_agg(w.created_at ORDER BY w.next_attempt_at) FILTER (WHERE NOT (w.subscription_id = ANY(p_skip)))
    INTO seen, ids, times
    FROM (SELECT d.id, d.created_at, d.subscription_id, d.next_attempt_at FROM deliveries AS d
          WHERE d.state = 'pending' AND d.lease_owner IS NULL AND d.next_attempt_at <= p_now
          ORDER BY d.next_attempt_at LIMIT window_size) AS w;
  -- Lock what is still claimable (another claim may have leased or locked some since). The
  -- conditions (checked again on the locked row) are written `(…) IS TRUE` here and below, so
  -- that they do not match the partial indexes: the rows are looked up by primary key. Matching,
  -- a planner without statistics (PGlite, which has no autovacuum; a table not analyzed yet) read
  -- `deliveries_due_by_subscription` of every day for each row (0.6 s a claim next to 50,000).
  SELECT array_agg(l.id), array_agg(l.created_at) INTO ids, times
    FROM (SELECT d.id, d.created_at FROM unnest(ids, times) WITH ORDINALITY AS c(id, created_at, n)
          JOIN deliveries AS d ON d.id = c.id AND d.created_at = c.created_at
          WHERE (d.state = 'pending' AND d.lease_owner IS NULL AND d.next_attempt_at <= p_now) IS TRUE
          ORDER BY c.n LIMIT p_limit
          FOR UPDATE OF d SKIP LOCKED) AS l;
  RETURN QUERY SELECT * FROM unnest(ids, times);
  taken := coalesce(cardinality(ids), 0);
  more := p_limit - taken;
  -- Step 2 only when the window gave nothing: its skip scan walks each subscription's index entries
  -- of deliveries leased since the last VACUUM (W1, every endpoint busy: 4x the PostgreSQL CPU
  -- when it ran after every short claim, measured); a claim that took some is followed by another.
  IF taken > 0 OR seen < window_size THEN
    RETURN;
  END IF;
  -- The partitions that can hold pending deliveries (usually the last day or two of ~40): the
  -- steps below read only those (pruned when they run). From the oldest pending delivery
  -- (`deliveries_pending`) to a day past now (created by another process whose clock is ahead);
  -- the days made ahead of time are empty.
  SELECT min(d.created_at) INTO oldest_day FROM deliveries AS d WHERE d.state = 'pending';
  newest_day := p_now + interval '1 day';
  RETURN QUERY
    WITH RECURSIVE heads(subscription_id, next_attempt_at) AS (
      -- Each subscription with unleased pending deliveries, with its oldest next_attempt_at.
      (SELECT d.subscription_id, d.next_attempt_at FROM deliveries AS d
       WHERE d.state = 'pending' AND d.lease_owner IS NULL AND d.next_attempt_at IS NOT NULL
         AND d.created_at BETWEEN oldest_day AND newest_day
       ORDER BY d.subscription_id, d.next_attempt_at LIMIT 1)
      UNION ALL
      SELECT n.subscription_id, n.next_attempt_at FROM heads AS h
      CROSS JOIN LATERAL (
        SELECT d.subscription_id, d.next_attempt_at FROM deliveries AS d
        WHERE d.state = 'pending' AND d.lease_owner IS NULL AND d.next_attempt_at IS NOT NULL
          AND d.created_at BETWEEN oldest_day AND newest_day AND d.subscription_id > h.subscription_id
        ORDER BY d.subscription_id, d.next_attempt_at LIMIT 1
      ) AS n
    ), oldest AS (
      -- The oldest due ones of each subscription that has any and is not left out, merged. Read
      -- as the heads are, from the subscription on in index order (its rows come first; rows of
      -- the next ones are dropped): this form has one cheap plan, the index in order. With `=`
      -- the planner may read a day's `deliveries_due` instead (when that day's statistics show one
      -- subscription), or sort the day's pending deliveries: the whole backlog again. The first
      -- `more + taken` hold every due one wanted (those the first step locked are dropped below).
      SELECT o.id, o.created_at, o.next_attempt_at FROM heads AS h
      CROSS JOIN LATERAL (
        SELECT d.id, d.created_at, d.subscription_id, d.next_attempt_at FROM deliveries AS d
        WHERE d.subscription_id >= h.subscription_id
          AND d.state = 'pending' AND d.lease_owner IS NULL AND d.next_attempt_at IS NOT NULL
          AND d.created_at BETWEEN oldest_day AND newest_day
        ORDER BY d.subscription_id, d.next_attempt_at LIMIT more + taken
      ) AS o
      WHERE h.next_attempt_at <= p_now AND NOT (h.subscription_id = ANY(p_skip))
        AND o.subscription_id = h.subscription_id AND o.next_attempt_at <= p_now
      ORDER BY o.next_attempt_at LIMIT more + taken
    )
    SELECT d.id, d.created_at FROM oldest AS o
    JOIN deliveries AS d ON d.id = o.id AND d.created_at = o.created_at
    WHERE (d.state = 'pending' AND d.lease_owner IS NULL AND d.next_attempt_at <= p_now) IS TRUE
      AND (taken = 0 OR NOT (d.id = ANY(ids)))
    ORDER BY o.next_attempt_at LIMIT more
    FOR UPDATE OF d SKIP LOCKED;
END
$$;
