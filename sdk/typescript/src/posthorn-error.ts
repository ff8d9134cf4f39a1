import { status, type Metadata, type ServiceError } from "@grpc/grpc-js";

/**
 * The one error type the SDK throws: a failed call, with its gRPC status code and the server's
 * message (for INVALID_ARGUMENT: `<field>: <what is wrong>`).
 */
export class PosthornError extends Error {
  override readonly name = "PosthornError";
  /** gRPC status code, e.g. `status.INVALID_ARGUMENT` (3). */
  readonly code: status;
  /** The status code's name, e.g. `INVALID_ARGUMENT`. */
  readonly codeName: string;
  /** The server's message without the code prefix. */
  readonly details: string;
  /** Trailing metadata sent with the status, if any. */
  readonly metadata: Metadata | undefined;

  constructor(code: status, details: string, metadata?: Metadata) {
    const codeName = status[code] ?? `CODE_${code}`;
    super(`${codeName}: ${details}`);
    this.code = code;
    this.codeName = codeName;
    this.details = details;
    this.metadata = metadata;
  }

  /** Wraps a grpc-js `ServiceError` (or anything thrown during a call). */
  static from(error: unknown): PosthornError {
    if (error instanceof PosthornError) return error;
    const serviceError = error as Partial<ServiceError>;
    if (typeof serviceError.code === "number") {
      return new PosthornError(serviceError.code, serviceError.details ?? String(serviceError.message), serviceError.metadata);
    }
    return new PosthornError(status.UNKNOWN, error instanceof Error ? error.message : String(error));
  }
}
