import ipaddr from "ipaddr.js";

/**
 * Whether a host names this machine only: `localhost`, an IPv4 address in 127.0.0.0/8, `::1`
 * (RFC 6890 "loopback"), or an IPv4-mapped IPv6 form of one (`::ffff:127.0.0.1`). Brackets
 * around an IPv6 host are allowed. `0.0.0.0` and `::` (every interface) are not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost") return true;
  // Only dotted four-part IPv4 counts as an address: "127.1" is a host name to a resolver here.
  if (!ipaddr.IPv4.isValidFourPartDecimal(bare) && !(bare.includes(":") && ipaddr.IPv6.isValid(bare))) return false;
  const address = ipaddr.process(bare);
  return address.range() === "loopback";
}

/** Whether `host:port` (IPv6 hosts in brackets) names this machine; see `isLoopbackHost`. */
export function isLoopbackAddress(address: string): boolean {
  const colon = address.lastIndexOf(":");
  return isLoopbackHost(colon < 0 ? address : address.slice(0, colon));
}
