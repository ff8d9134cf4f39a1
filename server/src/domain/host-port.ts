/**
 * Network addresses as settings and flags spell them: `host:port`, an IPv6 host in brackets
 * (`[::1]:50051`). One definition for the server's listen addresses (config) and the CLI's
 * `--address`.
 */

/** The gRPC API's default address: this machine only (a wider one is the operator's choice). */
export const DEFAULT_API_ADDRESS = "127.0.0.1:50051";

/**
 * `host:port`: a DNS name or IPv4 address, or an IPv6 address in brackets, then 1 to 5 digits.
 * The port's range (0 to 65535) is checked apart, so that the message can say which part is wrong.
 */
export const HOST_PORT_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;
