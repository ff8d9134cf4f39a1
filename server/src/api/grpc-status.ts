import { randomBytes } from "node:crypto";
import { Metadata, status, type ServerErrorResponse } from "@grpc/grpc-js";
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
} from "../domain/errors.js";
import { isDatabaseUnavailable } from "../store/availability.js";

/** Trailing metadata key of an INTERNAL answer's request id (also in its message). */
export const REQUEST_ID_METADATA = "posthorn-request-id";

/** A gRPC error to answer with; `requestId` (`req_` + 16 hex) is set on INTERNAL ones. */
export type GrpcError = ServerErrorResponse & { internal: boolean; requestId: string | undefined };

/**
 * The API boundary's one error mapping: domain errors become gRPC statuses with a message a
 * caller can act on; anything else is INTERNAL with a generic message that carries a fresh
 * request id (in the message and in the `posthorn-request-id` trailer), which the caller of this
 * function logs with the cause, so an operator finds the one log line a caller reports; the
 * cause itself is never sent. An unreachable database is UNAVAILABLE, the code clients retry on
 * (the SDKs do, reusing Emit's idempotency key, so a retry never duplicates).
 */
export function toGrpcError(error: unknown): GrpcError {
  const make = (code: status, details: string, requestId?: string) => {
    const metadata = new Metadata();
    if (requestId) metadata.set(REQUEST_ID_METADATA, requestId);
    return Object.assign(new Error(details), { code, details, metadata, internal: requestId !== undefined, requestId });
  };
  if (error instanceof InvalidArgumentError) return make(status.INVALID_ARGUMENT, error.message);
  if (error instanceof NotFoundError) return make(status.NOT_FOUND, error.message);
  if (error instanceof FailedPreconditionError) return make(status.FAILED_PRECONDITION, error.message);
  if (error instanceof UnauthenticatedError) return make(status.UNAUTHENTICATED, error.message);
  if (error instanceof PermissionDeniedError) return make(status.PERMISSION_DENIED, error.message);
  if (error instanceof ResourceExhaustedError) return make(status.RESOURCE_EXHAUSTED, error.message);
  if (isDatabaseUnavailable(error)) return make(status.UNAVAILABLE, "database unavailable; retry with the same idempotency key");
  const requestId = `req_${randomBytes(8).toString("hex")}`;
  return make(status.INTERNAL, `internal error (request id ${requestId}); the server log has the details`, requestId);
}
