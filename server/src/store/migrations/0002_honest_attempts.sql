-- Honest attempt numbering (issue 10). The claim now takes the attempt number (attempt_count
-- counts attempts started, in flight included), the lease sweeper records an attempt that was
-- started but never recorded as `abandoned`, and (delivery, attempt number) is unique, so every
-- request a receiver sees has its own number and its own row.

-- When the current lease was taken: the start of attempt number `attempt_count`.
ALTER TABLE deliveries ADD COLUMN leased_at timestamptz;

-- Earlier versions could record two attempts with one number (a crash or a stalled worker
-- re-sent attempt n). Renumber each delivery's attempts in the order they were made.
WITH numbered AS (
  SELECT id, row_number() OVER (PARTITION BY delivery_id ORDER BY started_at, attempt_number, id) AS n
  FROM attempts
)
UPDATE attempts AS a SET attempt_number = numbered.n
FROM numbered WHERE a.id = numbered.id AND a.attempt_number <> numbered.n;

UPDATE deliveries AS d SET attempt_count = c.n
FROM (SELECT delivery_id, count(*)::integer AS n FROM attempts GROUP BY delivery_id) AS c
WHERE d.id = c.delivery_id AND d.attempt_count < c.n;

-- A delivery leased right now (by a process of an earlier version, whose leases lasted 60 s) is
-- being attempted: count it.
UPDATE deliveries SET attempt_count = attempt_count + 1, leased_at = lease_expires_at - interval '60 seconds'
WHERE lease_owner IS NOT NULL;

DROP INDEX attempts_delivery;
CREATE UNIQUE INDEX attempts_delivery_number ON attempts (delivery_id, attempt_number);
