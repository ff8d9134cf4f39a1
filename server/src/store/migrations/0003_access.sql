-- Access control (issue 12): API keys and the audit log.

-- One row per API key. Only a SHA-256 hash of the key is kept (the key is 256 random bits, so a
-- fast hash is enough: nothing to brute-force). Revoked keys stay, for the audit log.
CREATE TABLE api_keys (
  seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                text PRIMARY KEY,
  key_hash          text NOT NULL UNIQUE,
  key_prefix        text NOT NULL,
  name              text NOT NULL,
  role              text NOT NULL CHECK (role IN ('admin', 'emitter', 'customer')),
  -- customer role: the one customer; NULL otherwise.
  customer_id       text,
  -- emitter role: the customers it may emit for; empty = any.
  emit_customer_ids text[] NOT NULL,
  created_at        timestamptz NOT NULL,
  expires_at        timestamptz,
  last_used_at      timestamptz,
  revoked_at        timestamptz,
  CHECK ((role = 'customer') = (customer_id IS NOT NULL))
);

-- One row per call that changed state.
CREATE TABLE audit_records (
  seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id          text PRIMARY KEY,
  created_at  timestamptz NOT NULL,
  key_id      text NOT NULL,
  key_name    text NOT NULL,
  role        text NOT NULL,
  customer_id text NOT NULL,
  method      text NOT NULL,
  target_ids  text[] NOT NULL
);
CREATE INDEX audit_records_customer_seq ON audit_records (customer_id, seq);
