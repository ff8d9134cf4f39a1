import { timestampFromDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  AttemptErrorKind,
  type DeliveryAttemptSchema,
  type DeliverySchema,
  type EventSchema,
  type SigningSecretInfoSchema,
  type SubscriptionSchema,
} from "@posthorn/proto";
import { liveSecrets } from "../domain/secret.js";
import type { AttemptRow, DeliveryRow, EventRow, SubscriptionRow } from "../store/rows.js";
import type { StoredSecretEntry } from "../store/schema.js";
import type { ViewName } from "./event-view.js";
import { endpointHealth } from "./subscription-delivery-options.js";
import { ERROR_KIND_TO_PROTO, SCHEME_TO_PROTO, STATE_TO_PROTO } from "./proto-enums.js";

/** Store rows to API messages (enum values: proto-enums.ts). */

const decoder = new TextDecoder();

/** A valid secret, never its value (proto `SigningSecretInfo`): current, or previous with its expiry. */
function secretInfo(secret: StoredSecretEntry): MessageInitShape<typeof SigningSecretInfoSchema> {
  return secret.expires_at === null ? { current: true } : { current: false, expireTime: timestampFromMs(secret.expires_at) };
}

/**
 * A subscription with its valid secrets (`liveSecrets` at `nowMs`, unix ms): the current one
 * first, then the previous ones newest first (the stored order).
 */
export function subscriptionToProto(row: SubscriptionRow, nowMs: number): MessageInitShape<typeof SubscriptionSchema> {
  const live = liveSecrets(row.secrets, nowMs);
  // The latest expiry of the previous secrets (proto `previous_secret_expire_time`).
  const expiries = live.flatMap((s) => (s.expires_at === null ? [] : [s.expires_at]));
  const expiry = expiries.length > 0 ? Math.max(...expiries) : undefined;
  return {
    id: row.id,
    customerId: row.customer_id,
    endpointUrl: row.endpoint_url,
    eventTypes: row.event_types,
    enabled: row.enabled,
    description: row.description,
    signatureScheme: SCHEME_TO_PROTO[row.signature_scheme],
    createTime: timestampFromDate(row.created_at),
    updateTime: timestampFromDate(row.updated_at),
    disabledReason: row.disabled_reason,
    ...(expiry === undefined ? {} : { previousSecretExpireTime: timestampFromMs(expiry) }),
    secrets: live.map(secretInfo),
    rateLimitPerSecond: row.rate_limit_per_second,
    rateLimitBurst: row.rate_limit_burst,
    ordered: row.ordered,
    health: endpointHealth(row),
    ...(row.failing_since === null ? {} : { failingSinceTime: timestampFromDate(row.failing_since) }),
  };
}

/**
 * An event in `view`: "basic" leaves out `data` and `envelope` (the large part, which the caller
 * of Emit just sent), "full" has both. `data`, when the caller has it at hand, saves parsing
 * the envelope again. An event whose payload expired (POSTHORN_PAYLOAD_RETENTION_DAYS) has
 * neither in any view, and says so with `payload_expire_time`.
 */
export function eventToProto(row: EventRow, view: ViewName, data?: Record<string, unknown>): MessageInitShape<typeof EventSchema> {
  const basic = {
    id: row.id,
    type: row.type,
    customerId: row.customer_id,
    apiVersion: "v1",
    createTime: timestampFromDate(row.created_at),
    idempotencyKey: row.idempotency_key ?? "",
  };
  if (row.payload_expired_at !== null) return { ...basic, payloadExpireTime: timestampFromDate(row.payload_expired_at) };
  if (view === "basic") return basic;
  const payload = data ?? (JSON.parse(decoder.decode(row.envelope)) as { data: Record<string, unknown> }).data;
  return { ...basic, data: payload as never, envelope: row.envelope };
}

export function attemptToProto(row: AttemptRow): MessageInitShape<typeof DeliveryAttemptSchema> {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    attemptNumber: row.attempt_number,
    startTime: timestampFromDate(row.started_at),
    statusCode: row.status_code ?? 0,
    durationMs: row.duration_ms,
    errorKind: row.error_kind === null ? AttemptErrorKind.UNSPECIFIED : (ERROR_KIND_TO_PROTO[row.error_kind] ?? AttemptErrorKind.OTHER),
    errorMessage: row.error_message,
    responseExcerpt: row.response_excerpt,
    signature: row.signature,
    succeeded: row.succeeded,
    willRetry: row.will_retry,
  };
}

export function deliveryToProto(row: DeliveryRow & { attempts?: AttemptRow[] }): MessageInitShape<typeof DeliverySchema> {
  return {
    id: row.id,
    eventId: row.event_id,
    subscriptionId: row.subscription_id,
    customerId: row.customer_id,
    eventType: row.event_type,
    endpointUrl: row.endpoint_url,
    state: STATE_TO_PROTO[row.state],
    attemptCount: row.attempt_count,
    ...(row.state === "pending" && row.next_attempt_at ? { nextAttemptTime: timestampFromDate(row.next_attempt_at) } : {}),
    createTime: timestampFromDate(row.created_at),
    updateTime: timestampFromDate(row.updated_at),
    finalReason: row.final_reason,
    attempts: (row.attempts ?? []).map(attemptToProto),
  };
}
