-- Posthorn schema v1. Every "now" in queries is a parameter (the clock is injected), so columns
-- have no time defaults.

CREATE TABLE subscriptions (
  seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id               text PRIMARY KEY,
  customer_id      text NOT NULL,
  endpoint_url     text NOT NULL,
  event_types      text[] NOT NULL,
  enabled          boolean NOT NULL,
  description      text NOT NULL,
  signature_scheme text NOT NULL CHECK (signature_scheme IN ('v1', 'standard_webhooks')),
  -- Signing secrets, current first: [{"secret": "whsec_…", "expires_at": null | unix ms}].
  -- Older secrets stay until their grace period ends (rotation).
  secrets          jsonb NOT NULL,
  disabled_reason  text NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  deleted_at       timestamptz
);
-- Fan-out at emit: a customer's live subscriptions.
CREATE INDEX subscriptions_customer_live ON subscriptions (customer_id) WHERE deleted_at IS NULL AND enabled;
-- ListSubscriptions by customer, in order.
CREATE INDEX subscriptions_customer_seq ON subscriptions (customer_id, seq) WHERE deleted_at IS NULL;

CREATE TABLE events (
  seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id              text PRIMARY KEY,
  customer_id     text NOT NULL,
  type            text NOT NULL,
  -- The canonical JSON envelope (RFC 8785), exactly the bytes every attempt sends.
  envelope        bytea NOT NULL,
  idempotency_key text,
  created_at      timestamptz NOT NULL
);
CREATE INDEX events_customer_seq ON events (customer_id, seq);
CREATE INDEX events_type_seq ON events (type, seq);

-- One row per (customer, key) seen in the last 24 hours; the primary key makes racing Emits
-- with one key create one event.
CREATE TABLE idempotency_keys (
  customer_id     text NOT NULL,
  idempotency_key text NOT NULL,
  event_id        text NOT NULL,
  expires_at      timestamptz NOT NULL,
  PRIMARY KEY (customer_id, idempotency_key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

CREATE TABLE deliveries (
  seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id               text PRIMARY KEY,
  event_id         text NOT NULL REFERENCES events (id),
  subscription_id  text NOT NULL REFERENCES subscriptions (id),
  customer_id      text NOT NULL,
  event_type       text NOT NULL,
  endpoint_url     text NOT NULL,
  state            text NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'canceled')),
  attempt_count    integer NOT NULL,
  -- When the next attempt is due; NULL unless pending.
  next_attempt_at  timestamptz,
  -- The worker holding the delivery and until when; a sweeper frees expired leases.
  lease_owner      text,
  lease_expires_at timestamptz,
  final_reason     text NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
-- The claim: due, unleased, pending deliveries in due order.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending' AND lease_owner IS NULL;
-- The sweeper: expired leases.
CREATE INDEX deliveries_leased ON deliveries (lease_expires_at) WHERE lease_owner IS NOT NULL;
-- ListDeliveries filters, each in order.
CREATE INDEX deliveries_customer_seq ON deliveries (customer_id, seq);
CREATE INDEX deliveries_event_seq ON deliveries (event_id, seq);
CREATE INDEX deliveries_subscription_seq ON deliveries (subscription_id, seq);
CREATE INDEX deliveries_state_seq ON deliveries (state, seq);

CREATE TABLE attempts (
  id               text PRIMARY KEY,
  delivery_id      text NOT NULL REFERENCES deliveries (id),
  attempt_number   integer NOT NULL,
  started_at       timestamptz NOT NULL,
  status_code      integer,
  duration_ms      integer NOT NULL,
  error_kind       text,
  error_message    text NOT NULL,
  response_excerpt text NOT NULL,
  signature        text NOT NULL,
  succeeded        boolean NOT NULL,
  will_retry       boolean NOT NULL
);
CREATE INDEX attempts_delivery ON attempts (delivery_id, attempt_number);
