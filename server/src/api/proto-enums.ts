import { ApiKeyRole, AttemptErrorKind, DeliveryState, SignatureScheme } from "@posthorn/proto";
import type { ApiKeyRoleName } from "../domain/api-key-role.js";
import type { AttemptErrorKind as AttemptErrorKindName } from "../domain/attempt-error-kind.js";
import type { DeliveryStateName } from "../domain/delivery-state.js";
import type { SignatureSchemeName } from "../domain/signature-scheme.js";

/**
 * The API's enums and the names the store keeps (domain/delivery-state.ts,
 * signature-scheme.ts, api-key-role.ts): one table per enum, its reverse derived from it, so
 * that a new value is added in one place. `UNSPECIFIED` has no name: a reverse lookup of it
 * (or of a number this build does not know) gives undefined, for the caller to refuse or default.
 */

export const STATE_TO_PROTO: Readonly<Record<DeliveryStateName, DeliveryState>> = {
  pending: DeliveryState.PENDING,
  succeeded: DeliveryState.SUCCEEDED,
  failed: DeliveryState.FAILED,
  canceled: DeliveryState.CANCELED,
};
export const STATE_FROM_PROTO = reverse(STATE_TO_PROTO);

export const SCHEME_TO_PROTO: Readonly<Record<SignatureSchemeName, SignatureScheme>> = {
  v1: SignatureScheme.V1,
  standard_webhooks: SignatureScheme.STANDARD_WEBHOOKS,
};
export const SCHEME_FROM_PROTO = reverse(SCHEME_TO_PROTO);

export const ROLE_TO_PROTO: Readonly<Record<ApiKeyRoleName, ApiKeyRole>> = {
  admin: ApiKeyRole.ADMIN,
  emitter: ApiKeyRole.EMITTER,
  customer: ApiKeyRole.CUSTOMER,
};
export const ROLE_FROM_PROTO = reverse(ROLE_TO_PROTO);

/** An attempt's stored `error_kind` (domain/attempt-error-kind.ts); the caller maps an unknown one to `OTHER`. */
export const ERROR_KIND_TO_PROTO: Readonly<Record<AttemptErrorKindName, AttemptErrorKind>> = {
  timeout: AttemptErrorKind.TIMEOUT,
  connection_refused: AttemptErrorKind.CONNECTION_REFUSED,
  dns: AttemptErrorKind.DNS,
  tls: AttemptErrorKind.TLS,
  connection_reset: AttemptErrorKind.CONNECTION_RESET,
  blocked_address: AttemptErrorKind.BLOCKED_ADDRESS,
  other: AttemptErrorKind.OTHER,
  shutdown: AttemptErrorKind.SHUTDOWN,
  abandoned: AttemptErrorKind.ABANDONED,
};

/** The reverse of a name → enum table (its values are distinct): enum → name. */
function reverse<N extends string, E extends number>(toProto: Readonly<Record<N, E>>): Readonly<Partial<Record<E, N>>> {
  return Object.fromEntries(Object.entries(toProto).map(([name, value]) => [value, name])) as Partial<Record<E, N>>;
}
