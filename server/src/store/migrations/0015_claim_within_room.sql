-- The claim's first step takes no more of a subscription than its endpoint's room in the claiming
-- process, as the second step already did (0013). Before, the walk in due order took up to the
-- claim's limit whoever the rows belonged to, and the claim gave back what the endpoint could not
-- start, due again a second later (delivery/claim-batch.ts `giveBack`). Whenever fewer endpoints
-- had due deliveries than POSTHORN_MAX_CONCURRENCY / POSTHORN_MAX_CONCURRENCY_PER_ENDPOINT, most
-- claims gave most of what they took back (measured: W1, 10 endpoints, POSTHORN_MAX_CONCURRENCY=128:
-- 30 % of all claimed given back, a third of the rate and p99 8–10 s instead of 4 s, as the
-- given-back ones came due together again and again).
-- The walk still locks up to p_limit rows in due order (SKIP LOCKED, as before: two processes
-- take consecutive rows); of those it returns each subscription's oldest up to its room
-- (p_busy_room for those in p_busy, else p_each); the others stay pending and unleased, their
-- locks end with the claim's statement. Every subscription returned is at its room or was not cut
-- short, so the caller claims again when one reached it (claim-batch.ts `tookAllRoom`).
-- Everything else is 0013's function, unchanged.

CREATE OR REPLACE FUNCTION posthorn_claimable(p_now timestamptz, p_limit integer, p_skip text[], p_window integer, p_each integer,
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
    WITH locked AS (
      SELECT d.id, d.created_at, d.subscription_id, d.next_attempt_at FROM (
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
      FOR UPDATE OF d SKIP LOCKED
    )
    SELECT r.id, r.created_at FROM (
      SELECT l.id, l.created_at, l.subscription_id,
             row_number() OVER (PARTITION BY l.subscription_id ORDER BY l.next_attempt_at) AS nth
      FROM locked AS l
    ) AS r
    WHERE r.nth <= coalesce(p_busy_room[array_position(p_busy, r.subscription_id)], p_each);
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
