-- Endpoint health and delivery semantics (issue 15): per-subscription rate limit, ordered
-- delivery and the failure record that auto-disable works from. Every new column has a constant
-- default or none: a catalog change only, no table rewrite.

-- Rate limit (a token bucket kept as GCRA's "theoretical arrival time", shared by every process):
-- 0 = no limit; a burst of 0 means one second's worth.
ALTER TABLE subscriptions ADD COLUMN rate_limit_per_second integer NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN rate_limit_burst integer NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN rate_limit_tat timestamptz;

-- Ordered delivery: one delivery of the subscription is due at a time; the others wait (pending,
-- next_attempt_at NULL) until the one before them ends.
ALTER TABLE subscriptions ADD COLUMN ordered boolean NOT NULL DEFAULT false;

-- Endpoint health: since when every attempt failed (NULL: the last one succeeded or none failed),
-- when the `endpoint.failing` warning went out (NULL: not yet), and the last success.
ALTER TABLE subscriptions ADD COLUMN failing_since timestamptz;
ALTER TABLE subscriptions ADD COLUMN failing_warned_at timestamptz;
ALTER TABLE subscriptions ADD COLUMN last_success_at timestamptz;

-- The failing subscriptions the health check looks at (few, so a small partial index).
CREATE INDEX subscriptions_failing ON subscriptions (failing_since) WHERE failing_since IS NOT NULL AND enabled AND deleted_at IS NULL;

-- The deliveries of ordered subscriptions waiting for their turn, in emit order.
CREATE INDEX deliveries_waiting ON deliveries (subscription_id, seq) WHERE state = 'pending' AND next_attempt_at IS NULL;
