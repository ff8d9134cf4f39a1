import { Code, ConnectError } from "@connectrpc/connect";
import { REQUEST_ID_METADATA, type GrpcError } from "./grpc-status.js";

/**
 * The Connect form of an answer made by grpc-status.ts (`toGrpcError`): the same code (Connect's
 * codes are gRPC's numbers, https://connectrpc.com/docs/protocol#error-codes) and the same message,
 * so a caller reads the same text over either transport; an INTERNAL answer's request id goes in
 * the `posthorn-request-id` header (or trailer), as over gRPC.
 */
export function toConnectError(answer: GrpcError): ConnectError {
  const metadata = answer.requestId ? { [REQUEST_ID_METADATA]: answer.requestId } : undefined;
  return new ConnectError(answer.details ?? answer.message, answer.code as number as Code, metadata);
}

/** The request id of an INTERNAL answer made by `toConnectError`, for the access log. */
export function requestIdOf(error: ConnectError): string | undefined {
  return error.metadata.get(REQUEST_ID_METADATA) ?? undefined;
}
