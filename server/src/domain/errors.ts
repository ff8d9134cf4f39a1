import { excerpt } from "./excerpt.js";

/**
 * Domain errors: the one error family the store and the service raise on purpose. The API
 * boundary maps each to a gRPC status (see `api/grpc-status.ts`); anything else is an internal
 * error, logged and never leaked.
 */
export class DomainError extends Error {
  override readonly name: string = "DomainError";
}

/** Bad input: `field` is the request field (proto name, dotted path), `reason` what is wrong. */
export class InvalidArgumentError extends DomainError {
  override readonly name = "InvalidArgumentError";
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** An id that names nothing. `kind` is "event", "subscription" or "delivery". */
export class NotFoundError extends DomainError {
  override readonly name = "NotFoundError";
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`${kind} ${JSON.stringify(id)} not found`);
  }
}

/** The request is valid but the object's state forbids it (e.g. recovering a deleted subscription). */
export class FailedPreconditionError extends DomainError {
  override readonly name: string = "FailedPreconditionError";
}

/**
 * An idempotency key reused for a different request (another type or other data) while it is
 * remembered: answering with the original event would tell the caller that an event it never
 * emitted was stored. The IETF Idempotency-Key draft answers 422 and Stripe `idempotency_error`;
 * here it is FAILED_PRECONDITION (the key's state forbids the call). `field` is the request
 * field (`idempotency_key` or `events[i].idempotency_key`); `usedBy` names the other request,
 * e.g. `event evt_…` (stored within the last `windowHours`) or `events[0]` (earlier in the same
 * batch); `difference` says what differs, e.g. `type "deal.won", this request "deal.lost"`.
 */
export class IdempotencyKeyReusedError extends FailedPreconditionError {
  override readonly name = "IdempotencyKeyReusedError";
  constructor(
    readonly field: string,
    readonly key: string,
    usedBy: { eventId: string; windowHours: number } | { batchIndex: number },
    difference: string,
  ) {
    const shown = excerpt(key, 64);
    const where =
      "eventId" in usedBy
        ? `was used within the last ${usedBy.windowHours} hours for a different request (event ${usedBy.eventId} has ${difference})`
        : `is also the key of events[${usedBy.batchIndex}], a different request (it has ${difference})`;
    super(`${field}: ${shown} ${where}; reuse a key only to retry the same request, and use a new key for a new event`);
  }
}

/** Why a call carries no valid API key; the `reason` label of `posthorn_auth_failures_total`. */
export const UNAUTHENTICATED_REASONS = ["missing", "malformed", "unknown", "revoked", "expired"] as const;

/**
 * The call carries no valid API key (missing, malformed, unknown, revoked or expired):
 * UNAUTHENTICATED. `reason` is a metric label; the message says what to send.
 */
export class UnauthenticatedError extends DomainError {
  override readonly name = "UnauthenticatedError";
  constructor(
    readonly reason: (typeof UNAUTHENTICATED_REASONS)[number],
    message: string,
  ) {
    super(message);
  }
}

/** The caller's key is valid but its role or scope does not allow the call: PERMISSION_DENIED. */
export class PermissionDeniedError extends DomainError {
  override readonly name = "PermissionDeniedError";
}

/**
 * The caller asked for more of something than a limit allows in a time (e.g. test events per
 * subscription): RESOURCE_EXHAUSTED. The message says the limit and when to try again.
 */
export class ResourceExhaustedError extends DomainError {
  override readonly name = "ResourceExhaustedError";
}
