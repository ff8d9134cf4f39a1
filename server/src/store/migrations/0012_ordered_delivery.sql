-- Ordered delivery (issue 15): what the turn-taking of an ordered subscription asks per
-- subscription, answered from small partial indexes instead of the subscription's whole history.
-- (0008 made `deliveries_waiting`: the waiting ones, in emit order.)

-- The active pending deliveries (due or in flight; not waiting for their turn) of a subscription:
-- "is one still active?" on every emit to, and every end of a delivery of, an ordered subscription.
CREATE INDEX deliveries_active ON deliveries (subscription_id) WHERE state = 'pending' AND next_attempt_at IS NOT NULL;

-- The ordered subscriptions (few), for the repair pass that looks for a stalled queue.
CREATE INDEX subscriptions_ordered ON subscriptions (id) WHERE ordered AND deleted_at IS NULL;
