import type { ColumnType } from "kysely";
import type { AttemptErrorKind } from "../domain/attempt-error-kind.js";
import type { ApiKeyRoleName } from "../domain/api-key-role.js";
import type { DeliveryStateName } from "../domain/delivery-state.js";
import type { SignatureSchemeName } from "../domain/signature-scheme.js";

/**
 * Table types for Kysely, mirroring `migrations/*.sql`.
 *
 * Glossary: an *event* is stored once with its envelope bytes; a *subscription* is a customer's
 * endpoint; a *delivery* is one event × one subscription; an *attempt* is one HTTP POST of a
 * delivery. A *lease* (`lease_owner`, `lease_expires_at`) marks a delivery a worker has claimed.
 */
export interface Database {
  subscriptions: SubscriptionTable;
  events: EventTable;
  idempotency_keys: IdempotencyKeyTable;
  deliveries: DeliveryTable;
  attempts: AttemptTable;
  api_keys: ApiKeyTable;
  audit_records: AuditRecordTable;
  payload_expired_partitions: PayloadExpiredPartitionTable;
}

/** bigint identity; `pg` returns it as a string. */
type Seq = ColumnType<string, never, never>;

/**
 * One signing secret as stored: sealed (AES-256-GCM, see secrets/secret-cipher.ts), never in
 * plain text; `expires_at` (unix ms) is null for the current one.
 */
export interface StoredSecret {
  sealed: string;
  expires_at: number | null;
}

/**
 * A signing secret in plain text, as versions before encryption at rest wrote it. Every start
 * seals such entries (secrets/reseal-secrets.ts); readers still accept them, in case a process
 * of the old version wrote one since.
 */
export interface PlainStoredSecret {
  secret: string;
  expires_at: number | null;
}

/** An entry of `subscriptions.secrets`. */
export type StoredSecretEntry = StoredSecret | PlainStoredSecret;

export interface SubscriptionTable {
  seq: Seq;
  id: string;
  customer_id: string;
  endpoint_url: string;
  event_types: string[];
  enabled: boolean;
  description: string;
  signature_scheme: SignatureSchemeName;
  secrets: ColumnType<StoredSecretEntry[], string, string>;
  disabled_reason: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  /** Most attempts started per second to the endpoint, all processes together; 0: no limit. */
  rate_limit_per_second: ColumnType<number, number | undefined, number>;
  /** Burst of the rate limit; 0: `rate_limit_per_second` (one second's worth). */
  rate_limit_burst: ColumnType<number, number | undefined, number>;
  /** GCRA theoretical arrival time of the rate limit (store/sql/take-rate-slots.ts); null: idle. */
  rate_limit_tat: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Ordered delivery: one delivery due at a time, in emit order (store/sql/promote-waiting.ts). */
  ordered: ColumnType<boolean, boolean | undefined, boolean>;
  /** Since when every attempt to the endpoint failed; null: the last one succeeded, or none failed. */
  failing_since: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** When the `endpoint.failing` warning of the current failing spell was given; null: not yet. */
  failing_warned_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /**
   * Start of the successful attempt that last ended a failing spell (store/record-endpoint-health.ts;
   * successes of a healthy endpoint are not written, to keep the hot path one statement); null: none yet.
   */
  last_success_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface EventTable {
  seq: Seq;
  id: string;
  customer_id: string;
  type: string;
  envelope: Uint8Array;
  idempotency_key: string | null;
  created_at: Date;
  /** W3C `traceparent` of the Emit that stored the event (sent with each attempt); null: none. */
  traceparent: string | null;
  /** W3C `tracestate` going with `traceparent`; null: none. */
  tracestate: string | null;
  /**
   * When the payload expired (POSTHORN_PAYLOAD_RETENTION_DAYS): `envelope` is empty from then
   * on; null while the event has its payload (store/payload-expiry.ts).
   */
  payload_expired_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** An events partition whose payloads are all expired (store/payload-expiry.ts); its name, e.g. `events_p20261204`. */
export interface PayloadExpiredPartitionTable {
  partition_name: string;
  expired_at: Date;
}

export interface IdempotencyKeyTable {
  customer_id: string;
  idempotency_key: string;
  event_id: string;
  expires_at: Date;
}

export interface DeliveryTable {
  seq: Seq;
  id: string;
  event_id: string;
  subscription_id: string;
  customer_id: string;
  event_type: string;
  endpoint_url: string;
  state: DeliveryStateName;
  /** Attempts started: the claim takes the next number, so an attempt in flight is counted. */
  attempt_count: number;
  next_attempt_at: Date | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  /** When the current lease was taken (the start of attempt `attempt_count`); null when not leased. */
  leased_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  final_reason: string;
  /** The event's `created_at`: the partition key (store/partitions.ts). */
  created_at: Date;
  updated_at: Date;
  /**
   * A rate-limit slot reserved for this delivery (migration 0011): it holds it while
   * `next_attempt_at` equals it (store/sql/release-throttled.ts); null: none.
   */
  rate_slot_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Takes turns with the other deliveries of its ordered subscription (store/ordered-turns.ts). */
  ordered: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface AttemptTable {
  id: string;
  delivery_id: string;
  attempt_number: number;
  started_at: Date;
  status_code: number | null;
  duration_ms: number;
  error_kind: AttemptErrorKind | null;
  error_message: string;
  response_excerpt: string;
  signature: string;
  succeeded: boolean;
  will_retry: boolean;
  /** The delivery's `created_at`: the partition key (store/partitions.ts). */
  delivery_created_at: Date;
}

export interface ApiKeyTable {
  seq: Seq;
  id: string;
  /** SHA-256 of the key, lowercase hex. */
  key_hash: string;
  /** The key's first 12 characters (`phk_` + 8), to recognize it. */
  key_prefix: string;
  name: string;
  role: ApiKeyRoleName;
  customer_id: string | null;
  emit_customer_ids: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface AuditRecordTable {
  seq: Seq;
  id: string;
  created_at: Date;
  key_id: string;
  key_name: string;
  role: ApiKeyRoleName;
  customer_id: string;
  method: string;
  target_ids: string[];
}
