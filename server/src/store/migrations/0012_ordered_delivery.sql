-- Ordered delivery (issue 15): what the turn-taking of an ordered subscription asks per
-- subscription, answered from small partial indexes instead of the subscription's whole history.
-- (0008 made `deliveries_waiting`: the waiting ones, in emit order.)

-- A delivery that takes turns: it was made for (or re-queued or left pending by turning on
-- `ordered` of) an ordered subscription. Only these enter `deliveries_active`, so the deliveries
-- of other subscriptions (nearly all) cost no index entry more than before. A constant default:
-- a catalog change only, no partition rewritten.
ALTER TABLE deliveries ADD COLUMN ordered boolean NOT NULL DEFAULT false;

-- The active pending deliveries (due or in flight; not waiting for their turn) of an ordered
-- subscription: "is one still active?" on every emit to it and every end of one of its deliveries.
CREATE INDEX deliveries_active ON deliveries (subscription_id) WHERE ordered AND state = 'pending' AND next_attempt_at IS NOT NULL;

-- The ordered subscriptions (few), for the repair pass that looks for a stalled queue.
CREATE INDEX subscriptions_ordered ON subscriptions (id) WHERE ordered AND deleted_at IS NULL;

-- The questions of ordered delivery as PL/pgSQL functions: a plain statement over the partitioned
-- `deliveries` is planned anew each time, for every day partition (about 20 ms with 40 of them,
-- measured), while a function's plans are kept per connection (generic after five calls) and
-- pruned when they run. Callers hold the subscription's turn lock (store/sql/lock-ordered-turns.ts).

-- Whether the subscription has a pending delivery, active (due or in flight) or waiting for its turn.
CREATE FUNCTION posthorn_has_pending(p_subscription text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RETURN EXISTS (SELECT 1 FROM deliveries WHERE subscription_id = p_subscription AND ordered AND state = 'pending' AND next_attempt_at IS NOT NULL)
      OR EXISTS (SELECT 1 FROM deliveries WHERE subscription_id = p_subscription AND state = 'pending' AND next_attempt_at IS NULL);
END
$$;

-- The next turn: unless a delivery of the subscription is active, its waiting one with the lowest
-- seq (the earliest emitted) is due at p_now. Returns 1 when one was made due, else 0.
CREATE FUNCTION posthorn_promote_waiting(p_subscription text, p_now timestamptz) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  head record;
  made_due integer;
BEGIN
  IF EXISTS (SELECT 1 FROM deliveries WHERE subscription_id = p_subscription AND ordered AND state = 'pending' AND next_attempt_at IS NOT NULL) THEN
    RETURN 0;
  END IF;
  SELECT id, created_at INTO head FROM deliveries
  WHERE subscription_id = p_subscription AND state = 'pending' AND next_attempt_at IS NULL
  ORDER BY seq LIMIT 1;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  UPDATE deliveries SET next_attempt_at = p_now, updated_at = p_now
  WHERE id = head.id AND created_at = head.created_at AND state = 'pending' AND next_attempt_at IS NULL;
  -- 0 when a concurrent cancel (disable, delete) got there first.
  GET DIAGNOSTICS made_due = ROW_COUNT;
  RETURN made_due;
END
$$;

-- Ordered subscriptions whose queue stalled: deliveries wait for their turn, none is active.
CREATE FUNCTION posthorn_stalled_turns() RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
    SELECT s.id FROM subscriptions s
    WHERE s.ordered AND s.deleted_at IS NULL
      AND EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id AND d.state = 'pending' AND d.next_attempt_at IS NULL)
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id AND d.ordered AND d.state = 'pending' AND d.next_attempt_at IS NOT NULL);
END
$$;
