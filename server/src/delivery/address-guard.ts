/**
 * Address safety (SSRF protection): deliveries go only to globally routable unicast addresses,
 * unless the operator allows more CIDRs (tests and local development allow 127.0.0.1/32).
 *
 * Three checks, one policy:
 * - `checkUrlHost`: a literal IP (any numeric form the WHATWG URL parser accepts) or a `localhost`
 *   name in a URL — used by `Subscribe`/`UpdateSubscription` and before every send;
 * - `lookup`: the `net.connect` `lookup` hook — resolves the name, refuses non-allowed answers and
 *   hands the socket exactly the checked address, so there is no second lookup to rebind (DNS
 *   rebinding defence);
 * - `isAllowedAddress`: the rule itself, also applied to the address a socket actually connected to.
 *
 * Sources: OWASP SSRF Prevention Cheat Sheet; IANA special-purpose address registries
 * (RFC 6890) via `ipaddr.js` range names; RFC 6761 §6.3 (`localhost` names are loopback);
 * RFC 4291 §2.5.5.2 (IPv4-mapped IPv6 addresses are checked as the IPv4 they carry).
 */
import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupAddress } from "node:dns";
import ipaddr from "ipaddr.js";

/** One resolved address (the shape of `dns.lookup(…, { all: true })` entries). */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a host name to all its addresses. Rejects with a Node-style error carrying `code`
 * (`ENOTFOUND`, `EAI_AGAIN`, …) when it cannot. Default: `dns.lookup` with `all: true`.
 */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The callback shape of `net.connect`'s `lookup` option (both the `all` and single forms). */
export type LookupFunction = (
  hostname: string,
  options: { all?: boolean; family?: number | string },
  callback: (
    err: NodeJS.ErrnoException | null,
    address: string | LookupAddress[],
    family?: number,
  ) => void,
) => void;

/** Thrown (or passed to callbacks) when a destination is refused; transports classify it as `blocked_address`. */
export class BlockedAddressError extends Error {
  readonly code = "ERR_POSTHORN_BLOCKED_ADDRESS";
  override readonly name = "BlockedAddressError";
}

/** The error code of `BlockedAddressError`, for classification without `instanceof`. */
export const BLOCKED_ADDRESS_CODE = "ERR_POSTHORN_BLOCKED_ADDRESS";

export type UrlHostCheck = { ok: true } | { ok: false; reason: string };

export interface AddressGuard {
  /** True if a connection to `ip` (IPv4 or IPv6 text) is allowed. Non-IP text → false. */
  isAllowedAddress(ip: string): boolean;
  /**
   * Checks a URL before any DNS: the scheme must be http(s); a literal IP host must be allowed;
   * `localhost` and `*.localhost` are refused unless 127.0.0.1 is allowed. Other names pass here
   * and are checked at connect time by `lookup`.
   */
  checkUrlHost(url: string | URL): UrlHostCheck;
  /**
   * `net.connect`/`tls.connect` `lookup` hook: resolves through the guard's resolver, keeps only
   * allowed addresses and returns them (all of them when `options.all`, else the first), so the
   * socket connects to a checked address. No allowed address → `BlockedAddressError`; no address
   * at all → an `ENOTFOUND` error.
   */
  lookup: LookupFunction;
}

export interface AddressGuardOptions {
  /** Extra CIDRs to allow, e.g. `["127.0.0.1/32"]`. Validated here; an invalid entry throws. */
  allowedCidrs?: readonly string[];
  /** Name resolution; default `dns.lookup` (all addresses, OS order). */
  resolver?: Resolver;
}

/** IPv6 global unicast (RFC 4291 §2.4); ipaddr.js calls everything unclassified "unicast". */
const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3");

export const defaultResolver: Resolver = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/**
 * Creates the guard.
 * @throws Error if an entry of `allowedCidrs` is not a valid CIDR.
 */
export function createAddressGuard(options: AddressGuardOptions = {}): AddressGuard {
  const allowed = (options.allowedCidrs ?? []).map((cidr) => {
    try {
      return ipaddr.parseCIDR(cidr);
    } catch {
      throw new Error(`invalid allowed CIDR: ${JSON.stringify(cidr)}`);
    }
  });
  const resolver = options.resolver ?? defaultResolver;

  function isAllowedAddress(ip: string): boolean {
    if (!ipaddr.isValid(ip)) return false;
    const raw = ipaddr.parse(ip);
    // ::ffff:127.0.0.1 connects to 127.0.0.1: judge the IPv4 it carries.
    const addr = raw.kind() === "ipv6" && (raw as ipaddr.IPv6).isIPv4MappedAddress()
      ? (raw as ipaddr.IPv6).toIPv4Address()
      : raw;
    for (const range of allowed) {
      if (range[0].kind() === addr.kind() && addr.match(range)) return true;
      if (range[0].kind() === raw.kind() && raw.match(range)) return true;
    }
    if (addr.kind() === "ipv4") return addr.range() === "unicast";
    return addr.range() === "unicast" && addr.match(IPV6_GLOBAL_UNICAST);
  }

  function checkUrlHost(url: string | URL): UrlHostCheck {
    let parsed: URL;
    try {
      parsed = typeof url === "string" ? new URL(url) : url;
    } catch {
      return { ok: false, reason: "invalid URL" };
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      return { ok: false, reason: `unsupported scheme ${parsed.protocol}` };
    }
    // WHATWG parsing has already turned 2130706433, 0x7f.1, 017700000001 and 0 into dotted IPv4
    // and compressed IPv6; a trailing dot is the same name to DNS.
    let host = parsed.hostname.toLowerCase();
    if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
    if (host.endsWith(".")) host = host.slice(0, -1);
    if (host === "") return { ok: false, reason: "URL has no host" };
    if (ipaddr.isValid(host) && (host.includes(":") || ipaddr.IPv4.isValidFourPartDecimal(host))) {
      return isAllowedAddress(host) ? { ok: true } : { ok: false, reason: `address ${host} is not allowed` };
    }
    if ((host === "localhost" || host.endsWith(".localhost")) && !isAllowedAddress("127.0.0.1")) {
      return { ok: false, reason: `host ${host} is loopback` };
    }
    return { ok: true };
  }

  const lookup: LookupFunction = (hostname, opts, callback) => {
    resolver(hostname).then(
      (answers) => {
        const family = opts.family === 4 || opts.family === "IPv4" ? 4 : opts.family === 6 || opts.family === "IPv6" ? 6 : 0;
        const candidates = family === 0 ? answers : answers.filter((a) => a.family === family);
        if (candidates.length === 0) {
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname }), "");
          return;
        }
        const usable = candidates.filter((a) => isAllowedAddress(a.address));
        const first = usable[0];
        if (first === undefined) {
          const list = candidates.map((a) => a.address).join(", ");
          callback(new BlockedAddressError(`${hostname} resolves to ${list}, which is not allowed`), "");
          return;
        }
        if (opts.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, ""),
    );
  };

  return { isAllowedAddress, checkUrlHost, lookup };
}
