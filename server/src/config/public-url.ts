import ipaddr from "ipaddr.js";

/**
 * The public base URL of the HTTP listener (`publicUrl`, POSTHORN_PUBLIC_URL): what a portal
 * session URL starts with (`<base>/portal/#key=phk_…`). Set it when people reach the listener
 * through another name, a proxy or a path prefix.
 */

const EXAMPLE = "https://posthorn.example.com or https://example.com/posthorn";

/**
 * Checks a `publicUrl` value: an absolute `http:` or `https:` URL with a host and no query or
 * fragment (the portal path and the key's fragment are appended to it); a trailing slash is
 * fine. Returns undefined when fine, else the reason (see config-checks.ts).
 */
export function checkPublicUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `not an absolute URL; expected such as ${EXAMPLE}`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `scheme "${url.protocol.slice(0, 20)}" is not supported; expected http:// or https://, such as ${EXAMPLE}`;
  }
  if (url.hostname === "") return `no host; expected such as ${EXAMPLE}`;
  if (url.search !== "" || value.includes("?")) return `must have no query (?…): the portal path is appended to it; expected such as ${EXAMPLE}`;
  if (url.hash !== "" || value.includes("#")) return `must have no fragment (#…): the session key travels in it; expected such as ${EXAMPLE}`;
  if (url.username !== "" || url.password !== "") return `must have no user name or password; expected such as ${EXAMPLE}`;
  return undefined;
}

/**
 * The base URL portal links start with, without a trailing slash, or undefined when there is
 * none (the HTTP listener is `off` and no `publicUrl` is set). `publicUrl` when set; else made
 * from the listener: `https://` when the TLS files are set, else `http://`, then the host as
 * written in `httpAddress` (an unspecified one, `0.0.0.0` or `[::]`, which no browser can open,
 * becomes `localhost`) and the port: `boundAddress`'s, the address the listener actually bound
 * (port 0 picks one), when given, else the one written.
 */
export function portalBaseUrl(
  config: { publicUrl?: string | undefined; httpAddress: string; tlsCertFile?: string | undefined; tlsKeyFile?: string | undefined },
  boundAddress?: string,
): string | undefined {
  if (config.publicUrl !== undefined) return config.publicUrl.replace(/\/+$/, "");
  if (config.httpAddress === "off") return undefined;
  const written = splitHostPort(config.httpAddress);
  const port = boundAddress === undefined ? written.port : splitHostPort(boundAddress).port;
  const scheme = config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined ? "https" : "http";
  return `${scheme}://${isUnspecified(written.host) ? "localhost" : written.host}:${port}`;
}

/** `host:port` (IPv6 host in brackets, kept) split at its last colon. */
function splitHostPort(address: string): { host: string; port: string } {
  const colon = address.lastIndexOf(":");
  return { host: address.slice(0, colon), port: address.slice(colon + 1) };
}

/** `0.0.0.0`, `::` and other spellings of the unspecified address (RFC 6890): every interface. */
function isUnspecified(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return ipaddr.isValid(bare) && ipaddr.parse(bare).range() === "unspecified";
}
