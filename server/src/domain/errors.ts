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
  override readonly name = "FailedPreconditionError";
}
