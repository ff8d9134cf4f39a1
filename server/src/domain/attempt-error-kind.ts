/**
 * Why an attempt produced no complete HTTP exchange.
 * - `timeout`: the per-attempt deadline passed (connect, TLS, headers or body).
 * - `connection_refused`: TCP RST on connect (ECONNREFUSED).
 * - `dns`: the host name did not resolve (ENOTFOUND, EAI_AGAIN, empty answer).
 * - `tls`: handshake or certificate failure.
 * - `connection_reset`: the peer reset or closed the connection mid-exchange.
 * - `blocked_address`: the URL's host or the resolved/connected address is not allowed
 *   (delivery/address-guard.ts); never retried.
 * - `shutdown`: the server was shutting down and aborted the attempt (delivery/transport.ts `TransportRequest.signal`);
 *   retried per the schedule like a timeout.
 * - `other`: anything else (the message says what).
 * - `abandoned`: recorded by the lease sweeper, never by a transport: the attempt was started
 *   (its number taken at the claim) but its worker crashed, stalled past its lease or lost the
 *   database before recording an outcome; the request may or may not have reached the endpoint.
 */
export const ATTEMPT_ERROR_KINDS = [
  "timeout",
  "connection_refused",
  "dns",
  "tls",
  "connection_reset",
  "blocked_address",
  "other",
  "shutdown",
  "abandoned",
] as const;

/** An attempt's stored `error_kind`; the API's `AttemptErrorKind` enum maps to it in api/proto-enums.ts. */
export type AttemptErrorKind = (typeof ATTEMPT_ERROR_KINDS)[number];
