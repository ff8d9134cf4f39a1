-- Payload expiry (issue 14): an event older than POSTHORN_PAYLOAD_RETENTION_DAYS loses its
-- envelope (set to empty bytes) while its deliveries and attempts stay until the retention drops
-- its partitions (store/payload-expiry.ts).
--
-- A nullable column without a default is a catalog change only: no partition is rewritten.
ALTER TABLE events ADD COLUMN payload_expired_at timestamptz;

-- The partitions whose payloads are all expired, so the hourly run does not read them again. A
-- partition dropped at retention leaves its row here until the next run removes it.
CREATE TABLE payload_expired_partitions (
  partition_name text PRIMARY KEY,
  expired_at     timestamptz NOT NULL
);
