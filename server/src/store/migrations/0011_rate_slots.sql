-- Per-endpoint rate limit (issue 15): a delivery given back because its subscription's rate
-- limit had no slot free now holds a slot reserved at `rate_slot_at` (the GCRA theoretical
-- arrival time in subscriptions.rate_limit_tat already counts it) and is due then
-- (`next_attempt_at = rate_slot_at`). A claim that finds the two equal sends it without taking
-- another slot; any other change of `next_attempt_at` (a retry, a requeue) makes them differ,
-- and the delivery takes a new slot. NULL: no slot reserved. No default: a catalog change only.
ALTER TABLE deliveries ADD COLUMN rate_slot_at timestamptz;
