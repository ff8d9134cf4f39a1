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
--   1. The oldest due deliveries of everyone (`deliveries_due`) in due order, those of p_skip
--      dropped and those another claim holds skipped, until p_limit are locked or p_window have
--      been read: what the claim did before (the same rows, the same cost) unless p_skip's
--      backlog is ahead, and then a bounded read. (The LIMIT applies to locked rows: two claims
--      at once, in two processes, take consecutive rows instead of one taking them all.)
--   2. Only when that found nothing and p_window were read, all p_skip's (a backlog ahead): a
--      skip scan over `deliveries_due_by_subscription` visits each subscription with unleased
--      pending deliveries once (one index descent per partition, however many it has) and takes
--      the oldest due ones of those not in p_skip, merged in due order: no more of each than
--      its endpoint could start in the claiming process (p_busy_room for those in p_busy, else
--      p_each). More would be given back, due again together a second later, and fill the next
--      claims again (measured: W3 gave back 4 of 5 claimed, and its last deliveries waited). Its cost grows with the number of subscriptions that have pending deliveries,
--      never with their backlog. (After a claim that took some, the caller claims again.)
-- A function, as in 0012, for its plans: kept per connection (PGlite included), and generic from
-- the first call on (plan_cache_mode). Custom plans, which PostgreSQL kept choosing for these
-- statements on PGlite, are made for every day partition on every call (13 ms, measured).
-- enable_seqscan/bitmapscan/sort off: each step has one good plan, index reads in order; a
-- generic plan made while the table was small or not yet analyzed must not read or sort every
-- pending delivery on every claim later (measured: W1 at a fifth of its rate).
-- enable_hashjoin/mergejoin off: the rows are locked after a join by key, which must stay a
-- lookup per row; expecting the window's rows, the planner joined whole index reads (11 ms a
-- claim instead of 2, measured).
-- jit off: the small sorts that remain cost 10^10 with enable_sort off, far past
-- jit_above_cost, and compiling the plans (every day partition's nodes) took 2 s of a 7 ms call
-- on PostgreSQL 15 (measured); JIT code is made again on every call, never kept.
-- ROWS 1: the caller (one UPDATE) must look each returned row up by key. It cannot count the
-- partitions pruned at run time, so it prices each lookup as a probe of every day partition:
-- expecting 1,000 rows (the default) or even 10, it hashed the whole `deliveries` table instead,
-- on every claim (measured: with a plan made on a large table, and with one made while the
-- table was small, which stays in use as the table grows).
-- Written as the planner needs it (each measured):
--   - the locked rows' conditions are checked again `(…) IS TRUE`, so that no partial index
--     matches them: without statistics (PGlite has no autovacuum; a table not analyzed yet) the
--     planner read a whole partial index for each row instead of looking it up by key (0.6 s a
--     claim next to 50,000);
--   - a subscription's oldest ones are read from the subscription on in index order (`>=`), the
--     next subscriptions' dropped: with `=` a generic plan may read a day's `deliveries_due`
--     instead (when that day's statistics show one subscription), or sort the day's pending
--     deliveries (the backlog again);
--   - step 2 reads only the partitions that can hold pending deliveries (usually the last day or
--     two of ~40): from the oldest pending one (`deliveries_pending`) to a day past p_now
--     (written by a process whose clock is ahead); the days made ahead of time are empty.
CREATE FUNCTION posthorn_claimable(p_now timestamptz, p_limit integer, p_skip text[], p_window integer, p_each integer,
                                   p_busy text[], p_busy_room integer[])
RETURNS TABLE (id text, created_at timestamptz) LANGUAGE plpgsql ROWS 1
SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off
SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off AS $$
DECLARE
  taken integer;
  oldest_day timestamptz;
  newest_day timestamptz := p_now + interval '1 day';
BEGIN
  RETURN QUERY
    SELECT d.id, d.created_at FROM (
      SELECT w.id, w.created_at FROM (
        SELECT d.id, d.created_at, d.subscription_id FROM deliveries AS d
        WHERE d.state = 'pending' AND d.lease_owner IS NULL AND d.next_attempt_at <= p_now
        ORDER BY d.next_attempt_at LIMIT p_window
      ) AS w
      WHERE NOT (w.subscription_id = ANY(p_skip))
    ) AS c
    JOIN deliveries AS d ON d.id = c.id AND d.created_at = c.created_at
    WHERE (d.state = 'pending' AND d.lease_owner IS NULL AND d.next_attempt_at <= p_now) IS TRUE
    LIMIT p_limit
    FOR UPDATE OF d SKIP LOCKED;
  GET DIAGNOSTICS taken = ROW_COUNT;
  -- Was the walk cut short by the window, all of it skipped? Read again (the walk cannot say how
  -- far it read), only after a claim that took nothing while some subscriptions were skipped.
  IF taken > 0 OR cardinality(p_skip) = 0 OR (SELECT count(*) < p_window OR NOT bool_and(w.subscription_id = ANY(p_skip))
                   FROM (SELECT d.subscription_id FROM deliveries AS d
                         WHERE d.state = 'pending' AND d.lease_owner IS NULL AND d.next_attempt_at <= p_now
                         ORDER BY d.next_attempt_at LIMIT p_window) AS w) THEN
    RETURN;
  END IF;
  SELECT min(d.created_at) INTO oldest_day FROM deliveries AS d WHERE d.state = 'pending';
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
      -- The oldest due ones of each subscription that has any and is not skipped, merged.
      SELECT o.id, o.created_at, o.next_attempt_at FROM heads AS h
      CROSS JOIN LATERAL (
        SELECT d.id, d.created_at, d.subscription_id, d.next_attempt_at FROM deliveries AS d
        WHERE d.subscription_id >= h.subscription_id
          AND d.state = 'pending' AND d.lease_owner IS NULL AND d.next_attempt_at IS NOT NULL
          AND d.created_at BETWEEN oldest_day AND newest_day
        ORDER BY d.subscription_id, d.next_attempt_at
        LIMIT least(p_limit, coalesce(p_busy_room[array_position(p_busy, h.subscription_id)], p_each))
      ) AS o
      WHERE h.next_attempt_at <= p_now AND NOT (h.subscription_id = ANY(p_skip))
        AND o.subscription_id = h.subscription_id AND o.next_attempt_at <= p_now
      ORDER BY o.next_attempt_at LIMIT p_limit
    )
    SELECT d.id, d.created_at FROM oldest AS o
    JOIN deliveries AS d ON d.id = o.id AND d.created_at = o.created_at
    WHERE (d.state = 'pending' AND d.lease_owner IS NULL AND d.next_attempt_at <= p_now) IS TRUE
    FOR UPDATE OF d SKIP LOCKED;
END
$$;
