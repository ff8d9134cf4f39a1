-- Retention at scale (issue 14): events, deliveries and attempts become range-partitioned by
-- day (UTC) on the time their event was stored, so that pruning drops whole partitions instead
-- of deleting rows (store/partitions.ts creates the daily partitions ahead and drops them).
--
-- - events and deliveries are partitioned on `created_at` (a delivery's is its event's), attempts
--   on a new column `delivery_created_at` (their delivery's `created_at`), so a day's three
--   partitions hold one day of events with all their deliveries and attempts, and go together.
-- - Primary keys include the partition key, as PostgreSQL requires: (id, created_at). Ids made
--   from now on carry their `created_at` in their first 12 hex digits (domain/ids.ts), so a
--   lookup by id reads one partition's index.
-- - The `seq` columns (keyset pagination) come from plain sequences: PostgreSQL before 17 has no
--   identity columns on partitioned tables.
-- - Foreign keys between the three tables go (PostgreSQL cannot drop a referenced partition);
--   the server writes a delivery with its event, and the pruner drops a day's three partitions
--   together. deliveries → subscriptions stays.
--
-- A database with rows is converted without copying them: the old tables become one partition
-- each, named `<table>_until_YYYYMMDD`, covering everything before the day after the newest
-- event (FROM MINVALUE TO that day). Only attempts are rewritten, to fill in
-- `delivery_created_at`. Attaching checks every old row against the partition bound (a
-- sequential read) and builds the new primary key indexes. An empty database just gets the new
-- tables.

DO $convert$
DECLARE
  newest timestamptz;
  bound timestamptz;
  suffix text;
  tbl text;
  idx record;
BEGIN
  -- A delivery's created_at is its event's (fan-out writes it so): both are partition keys, and
  -- a delivery must be in its event's day. Make it so for any row where it is not.
  UPDATE deliveries AS d SET created_at = e.created_at FROM events AS e WHERE e.id = d.event_id AND d.created_at <> e.created_at;
  SELECT greatest((SELECT max(created_at) FROM events), (SELECT max(created_at) FROM deliveries)) INTO newest;
  ALTER TABLE attempts DROP CONSTRAINT attempts_delivery_id_fkey;
  ALTER TABLE deliveries DROP CONSTRAINT deliveries_event_id_fkey;
  ALTER TABLE deliveries DROP CONSTRAINT deliveries_subscription_id_fkey;
  IF newest IS NULL THEN
    DROP TABLE attempts;
    DROP TABLE deliveries;
    DROP TABLE events;
    RETURN;
  END IF;

  bound := date_trunc('day', newest, 'UTC') + interval '1 day';
  suffix := '_until_' || to_char(bound AT TIME ZONE 'UTC', 'YYYYMMDD');

  ALTER TABLE attempts ADD COLUMN delivery_created_at timestamptz;
  UPDATE attempts AS a SET delivery_created_at = d.created_at FROM deliveries AS d WHERE d.id = a.delivery_id;
  ALTER TABLE attempts ALTER COLUMN delivery_created_at SET NOT NULL;
  -- The partitioned tables' primary keys are (id, created_at); attaching builds them.
  ALTER TABLE attempts DROP CONSTRAINT attempts_pkey;
  ALTER TABLE deliveries DROP CONSTRAINT deliveries_pkey;
  ALTER TABLE events DROP CONSTRAINT events_pkey;
  ALTER TABLE events ALTER COLUMN seq DROP IDENTITY;
  ALTER TABLE deliveries ALTER COLUMN seq DROP IDENTITY;

  FOREACH tbl IN ARRAY ARRAY['events', 'deliveries', 'attempts'] LOOP
    -- The old indexes keep working in the old partition; renamed, their names are free for the
    -- partitioned table's.
    FOR idx IN SELECT c.relname FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid WHERE i.indrelid = tbl::regclass LOOP
      EXECUTE format('ALTER INDEX %I RENAME TO %I', idx.relname, left(idx.relname, 48) || suffix);
    END LOOP;
    EXECUTE format('ALTER TABLE %I RENAME TO %I', tbl, tbl || suffix);
  END LOOP;
  -- Read by the next statements of this migration.
  CREATE TEMPORARY TABLE posthorn_partition_conversion ON COMMIT DROP AS SELECT suffix, bound;
END
$convert$;

CREATE SEQUENCE events_seq;
CREATE TABLE events (
  seq             bigint NOT NULL DEFAULT nextval('events_seq'),
  id              text NOT NULL,
  customer_id     text NOT NULL,
  type            text NOT NULL,
  -- The canonical JSON envelope (RFC 8785), exactly the bytes every attempt sends.
  envelope        bytea NOT NULL,
  idempotency_key text,
  created_at      timestamptz NOT NULL,
  traceparent     text,
  tracestate      text,
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
ALTER SEQUENCE events_seq OWNED BY events.seq;
CREATE INDEX events_customer_seq ON events (customer_id, seq);
CREATE INDEX events_type_seq ON events (type, seq);

CREATE SEQUENCE deliveries_seq;
CREATE TABLE deliveries (
  seq              bigint NOT NULL DEFAULT nextval('deliveries_seq'),
  id               text NOT NULL,
  event_id         text NOT NULL,
  subscription_id  text NOT NULL,
  customer_id      text NOT NULL,
  event_type       text NOT NULL,
  endpoint_url     text NOT NULL,
  state            text NOT NULL CONSTRAINT deliveries_state_check CHECK (state IN ('pending', 'succeeded', 'failed', 'canceled')),
  attempt_count    integer NOT NULL,
  next_attempt_at  timestamptz,
  lease_owner      text,
  lease_expires_at timestamptz,
  final_reason     text NOT NULL,
  -- The event's created_at: the partition key.
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  leased_at        timestamptz,
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
ALTER SEQUENCE deliveries_seq OWNED BY deliveries.seq;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending' AND lease_owner IS NULL;
CREATE INDEX deliveries_leased ON deliveries (lease_expires_at) WHERE lease_owner IS NOT NULL;
-- The pruner: is anything in this partition still pending?
CREATE INDEX deliveries_pending ON deliveries (created_at) WHERE state = 'pending';
CREATE INDEX deliveries_customer_seq ON deliveries (customer_id, seq);
CREATE INDEX deliveries_event_seq ON deliveries (event_id, seq);
CREATE INDEX deliveries_subscription_seq ON deliveries (subscription_id, seq);
CREATE INDEX deliveries_state_seq ON deliveries (state, seq);
CREATE INDEX deliveries_customer_type_seq ON deliveries (customer_id, event_type, seq);
CREATE INDEX deliveries_customer_created ON deliveries (customer_id, created_at);

CREATE TABLE attempts (
  id                  text NOT NULL,
  delivery_id         text NOT NULL,
  attempt_number      integer NOT NULL,
  started_at          timestamptz NOT NULL,
  status_code         integer,
  duration_ms         integer NOT NULL,
  error_kind          text,
  error_message       text NOT NULL,
  response_excerpt    text NOT NULL,
  signature           text NOT NULL,
  succeeded           boolean NOT NULL,
  will_retry          boolean NOT NULL,
  -- The delivery's created_at: the partition key.
  delivery_created_at timestamptz NOT NULL,
  PRIMARY KEY (id, delivery_created_at)
) PARTITION BY RANGE (delivery_created_at);
CREATE UNIQUE INDEX attempts_delivery_number ON attempts (delivery_id, attempt_number, delivery_created_at);

DO $attach$
DECLARE
  conversion record;
BEGIN
  IF to_regclass('pg_temp.posthorn_partition_conversion') IS NULL THEN
    RETURN;
  END IF;
  SELECT * INTO conversion FROM pg_temp.posthorn_partition_conversion;
  EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', 'events' || conversion.suffix, conversion.bound);
  EXECUTE format('ALTER TABLE deliveries ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', 'deliveries' || conversion.suffix, conversion.bound);
  EXECUTE format('ALTER TABLE attempts ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', 'attempts' || conversion.suffix, conversion.bound);
  PERFORM setval('events_seq', (SELECT max(seq) FROM events));
  PERFORM setval('deliveries_seq', (SELECT max(seq) FROM deliveries));
END
$attach$;

ALTER TABLE deliveries ADD CONSTRAINT deliveries_subscription_id_fkey FOREIGN KEY (subscription_id) REFERENCES subscriptions (id);
