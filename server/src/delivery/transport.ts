/**
 * The transport boundary of the delivery engine: one HTTP attempt in, one classified outcome out.
 *
 * Source: the reference module's pluggable `transport` callable (`TransportCallable`,
 * `_default_transport`), so the engine can be exercised without a network and other transports
 * (a proxy, a queue, a test double) can be added. Unlike the reference, an outcome keeps a bounded
 * excerpt of the response and a classified error (contract, "Faults in the reference" 6).
 *
 * Glossary:
 * - attempt: one POST of one delivery to one endpoint, bounded by one deadline.
 * - outcome: what the attempt produced — a status line, a network error class, or both (a status
 *   arrived but the body did not finish before the deadline).
 * - excerpt: the first bytes of the response body (at most 4 KiB), decoded as UTF-8.
 */

/** Why an attempt produced no complete HTTP exchange: its one home is domain/attempt-error-kind.ts. */
export type { AttemptErrorKind } from "../domain/attempt-error-kind.js";
import type { AttemptErrorKind } from "../domain/attempt-error-kind.js";

/** One attempt to send. `body` is sent byte for byte; `deadlineMs` bounds the whole exchange (ms). */
export interface TransportRequest {
  /** Absolute `http:` or `https:` URL of the endpoint. */
  url: string;
  /** Request headers (the contract's wire headers); names are sent as given. */
  headers: Record<string, string>;
  /** The exact bytes that were signed. */
  body: Uint8Array;
  /** Overall deadline in milliseconds covering connect, TLS, request, headers and body. */
  deadlineMs: number;
  /**
   * Aborts the attempt when the server shuts down: `send` then resolves at once with
   * `errorKind: "shutdown"` (already aborted: nothing is sent).
   */
  signal?: AbortSignal;
}

/**
 * What one attempt produced. A transport fills `statusCode` when a status line arrived and
 * `errorKind` when the exchange did not complete; both are set when the status arrived but the body
 * did not finish before the deadline.
 */
export interface AttemptOutcome {
  /** HTTP status code, when a status line was received. */
  statusCode?: number;
  /** Error class, when the exchange did not complete. */
  errorKind?: AttemptErrorKind;
  /** Human-readable error detail (bounded, at most 500 characters). */
  errorMessage?: string;
  /** First bytes of the response body (at most 4 KiB of UTF-8, invalid bytes replaced); "" if none. */
  responseExcerpt: string;
  /** True when the body read was longer than the excerpt or was cut at the read cap. */
  responseTruncated?: boolean;
  /** `Location` header of a 3xx response (redirects are not followed; at most 2048 characters). */
  location?: string;
  /** Raw `Retry-After` header, if any (parsed by retry-policy.ts `parseRetryAfter`). */
  retryAfter?: string;
  /** Wall time of the attempt in milliseconds, from start of send to end of body read. */
  durationMs: number;
}

/** Sends attempts. `send` never rejects for network problems: it classifies them in the outcome. */
export interface Transport {
  send(request: TransportRequest): Promise<AttemptOutcome>;
  /** Closes pooled connections; pending sends finish or fail first. */
  close(): Promise<void>;
}
