import { credentials as grpcCredentials, type ChannelCredentials } from "@grpc/grpc-js";

/** PEM material for a TLS connection (file contents, not paths). */
export interface TlsSettings {
  /** CA bundle the server's certificate must chain to; replaces the system's roots. Default: the system's roots. */
  ca?: string | Buffer;
  /** Client certificate chain for mTLS (with `key`). */
  cert?: string | Buffer;
  /** Private key of `cert` (unencrypted PEM). */
  key?: string | Buffer;
}

/**
 * Whether `host:port` names this machine only: `localhost`, 127.0.0.0/8 or `[::1]` (a client
 * connects without TLS by default only there). A narrower form of the server's rule
 * (server/src/config/loopback.ts), which also counts IPv4-mapped IPv6 loopback
 * (`::ffff:127.0.0.1`): the SDK has no dependencies for address parsing, and a narrower rule
 * only means TLS by default in a case the server would accept plaintext.
 */
export function isLoopbackAddress(address: string): boolean {
  const colon = address.lastIndexOf(":");
  const host = (colon < 0 ? address : address.slice(0, colon)).replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The channel credentials for `tls` (see `WebhookClientOptions.tls`): `false` plaintext; `true`
 * TLS with the system's roots; settings TLS with their CA and client certificate; undefined
 * plaintext on a loopback `address`, else TLS.
 * @throws TypeError when only one of `cert` and `key` is given.
 */
export function channelCredentialsFor(address: string, tls: boolean | TlsSettings | undefined): ChannelCredentials {
  const settings = tls ?? !isLoopbackAddress(address);
  if (settings === false) return grpcCredentials.createInsecure();
  if (settings === true) return grpcCredentials.createSsl();
  if ((settings.cert === undefined) !== (settings.key === undefined)) {
    throw new TypeError("tls: a client certificate needs both `cert` and `key` (PEM), or neither");
  }
  const pem = (value: string | Buffer | undefined) => (value === undefined ? null : Buffer.from(value));
  return grpcCredentials.createSsl(pem(settings.ca), pem(settings.key), pem(settings.cert));
}

/**
 * Metadata carrying `apiKey` as the server expects it: `authorization: Bearer <key>`.
 * @throws TypeError when the key holds a character no API key has (see `checkApiKey`).
 */
export function authorizationFor(apiKey: string | undefined): Record<string, string> {
  if (apiKey === undefined || apiKey === "") return {};
  checkApiKey("apiKey", apiKey);
  return { authorization: `Bearer ${apiKey}` };
}

/**
 * Refuses an API key with a character outside visible ASCII (0x21–0x7E): a line break, a space,
 * a control or non-ASCII character. grpc-js would refuse it too, at the first call, with a
 * message that quotes the whole value, printing the key into logs; this message names the
 * position and never the key.
 * @throws TypeError naming `field` and the position (1-based) of the first bad character.
 */
export function checkApiKey(field: string, apiKey: string): void {
  const at = apiKey.search(/[^\x21-\x7e]/);
  if (at === -1) return;
  const what = /[\r\n]/.test(apiKey[at]!) ? "a line break" : /\s/.test(apiKey[at]!) ? "white space" : "a character outside visible ASCII";
  throw new TypeError(
    `${field}: character ${at + 1} is ${what}, which an API key never holds (the key is not shown); ` +
      "check how it was set, e.g. a trailing newline read from a file",
  );
}
