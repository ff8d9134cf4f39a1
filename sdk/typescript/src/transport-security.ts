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
 * Whether `host:port` names this machine only: `localhost`, 127.0.0.0/8 or `[::1]`. The same
 * rule as the server's: it listens without TLS by default only there.
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

/** Metadata carrying `apiKey` as the server expects it: `authorization: Bearer <key>`. */
export function authorizationFor(apiKey: string | undefined): Record<string, string> {
  return apiKey === undefined || apiKey === "" ? {} : { authorization: `Bearer ${apiKey}` };
}
