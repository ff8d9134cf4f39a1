import { Metadata, status, type ServerErrorResponse } from "@grpc/grpc-js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../domain/errors.js";
import { isDatabaseUnavailable } from "../store/availability.js";

/**
 * The API boundary's one error mapping: domain errors become gRPC statuses with a message a
 * caller can act on; anything else is INTERNAL with a generic message (the cause is logged by
 * the caller of this function, never sent). An unreachable database is UNAVAILABLE, the code
 * clients retry on (the SDKs do, reusing Emit's idempotency key, so a retry never duplicates).
 */
export function toGrpcError(error: unknown): ServerErrorResponse & { internal: boolean } {
  const make = (code: status, details: string, internal = false) =>
    Object.assign(new Error(details), { code, details, metadata: new Metadata(), internal });
  if (error instanceof InvalidArgumentError) return make(status.INVALID_ARGUMENT, error.message);
  if (error instanceof NotFoundError) return make(status.NOT_FOUND, error.message);
  if (error instanceof FailedPreconditionError) return make(status.FAILED_PRECONDITION, error.message);
  if (isDatabaseUnavailable(error)) return make(status.UNAVAILABLE, "database unavailable; retry with the same idempotency key");
  return make(status.INTERNAL, "internal error; the server log has the details", true);
}
