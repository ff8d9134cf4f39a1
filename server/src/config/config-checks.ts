import ipaddr from "ipaddr.js";
import { parse as parseConnectionString } from "pg-connection-string";

/**
 * Checks of settings that zod's built-ins cannot express. Each returns undefined when the value
 * is fine, else the reason and the fix, to follow the setting's name in a `ConfigError`.
 */

const DATABASE_URL_EXAMPLE = "postgres://user:password@host:5432/database";

/**
 * A PostgreSQL connection URL as `pg` reads it (with pg-connection-string, used here too):
 * scheme `postgres:` or `postgresql:`, and a host, either in the authority or as `?host=` (a Unix
 * socket folder, e.g. `postgres://user@/posthorn?host=/var/run/postgresql`). `pg` reads any
 * other scheme as PostgreSQL on 127.0.0.1:5432, so it is refused here.
 */
export function checkDatabaseUrl(value: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
  if (scheme === undefined) return `not a URL; expected ${DATABASE_URL_EXAMPLE}, or unset it to use the embedded database`;
  if (!/^postgres(ql)?$/i.test(scheme)) {
    return (
      `scheme "${scheme.slice(0, 20)}://" is not PostgreSQL; expected ${DATABASE_URL_EXAMPLE} (or postgresql://), ` +
      `or unset it to use the embedded database (Posthorn stores only in PostgreSQL)`
    );
  }
  let host: string | null | undefined;
  try {
    host = parseConnectionString(value).host;
  } catch {
    return `cannot be parsed as a URL (is the port 1–65535? are / ? # in the password percent-encoded, e.g. %2F?); expected ${DATABASE_URL_EXAMPLE}`;
  }
  if (!host) return `no host; expected ${DATABASE_URL_EXAMPLE}, or ?host=/path/to/socket/folder for a Unix socket`;
  return undefined;
}

/**
 * An egress proxy URL: `http:` or `https:` (undici's ProxyAgent speaks HTTP CONNECT only, so
 * SOCKS is not supported) with a host.
 */
export function checkProxyUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "not a URL; expected an HTTP(S) proxy such as http://proxy.internal:3128";
  }
  if (/^socks/i.test(url.protocol)) {
    return "SOCKS proxies are not supported; use an HTTP(S) proxy (CONNECT), such as http://proxy.internal:3128";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `scheme "${url.protocol.slice(0, 20)}" is not supported; expected http:// or https://, such as http://proxy.internal:3128`;
  }
  if (url.hostname === "") return "no host; expected such as http://proxy.internal:3128";
  return undefined;
}

/**
 * One CIDR range, `address/prefix-length`: IPv4 in dotted four-part decimal with a prefix of
 * 0–32, or IPv6 with 0–128 (RFC 4632 §3.1, RFC 4291 §2.3), parsed with ipaddr.js as the address
 * guard does.
 */
export function checkCidr(value: string): string | undefined {
  const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  const expected = "expected address/prefix-length, e.g. 127.0.0.1/32, 10.0.0.0/8 or fd00::/8";
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (match === null) return `${shown} is not a CIDR; ${expected}`;
  const [, address, prefix] = match as unknown as [string, string, string];
  const isV4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  const isV6 = !isV4 && address.includes(":") && ipaddr.IPv6.isValid(address);
  if (!isV4 && !isV6) return `${shown}: "${address.slice(0, 60)}" is not an IPv4 or IPv6 address; ${expected}`;
  const max = isV4 ? 32 : 128;
  if (Number(prefix) > max) return `${shown}: prefix length ${prefix} is out of range (${isV4 ? "IPv4" : "IPv6"}: 0–${max})`;
  try {
    ipaddr.parseCIDR(value);
  } catch {
    return `${shown} is not a CIDR; ${expected}`;
  }
  return undefined;
}
