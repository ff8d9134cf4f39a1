import { describe, expect, it } from "vitest";
import type { LookupAddress } from "node:dns";
import { BlockedAddressError, createAddressGuard, type Resolver } from "../../server/src/delivery/address-guard.js";
import { REFUSED_ADDRESSES, REFUSED_URLS } from "./helpers/refused-hosts.js";

const strict = createAddressGuard();
const loopbackAllowed = createAddressGuard({ allowedCidrs: ["127.0.0.1/32"] });

describe("isAllowedAddress", () => {
  it.each(REFUSED_ADDRESSES)("refuses %s (%s)", (ip) => {
    expect(strict.isAllowedAddress(ip)).toBe(false);
  });

  it.each(["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"])(
    "allows global %s",
    (ip) => {
      expect(strict.isAllowedAddress(ip)).toBe(true);
    },
  );

  it("refuses text that is not an IP", () => {
    expect(strict.isAllowedAddress("example.com")).toBe(false);
    expect(strict.isAllowedAddress("")).toBe(false);
  });

  it("lets allowed CIDRs override, including through the IPv4-mapped form, and nothing more", () => {
    expect(loopbackAllowed.isAllowedAddress("127.0.0.1")).toBe(true);
    expect(loopbackAllowed.isAllowedAddress("::ffff:127.0.0.1")).toBe(true);
    expect(loopbackAllowed.isAllowedAddress("127.0.0.2")).toBe(false);
    expect(loopbackAllowed.isAllowedAddress("::1")).toBe(false);
    const v6 = createAddressGuard({ allowedCidrs: ["fd00::/8", "10.1.0.0/16"] });
    expect(v6.isAllowedAddress("fd00::5")).toBe(true);
    expect(v6.isAllowedAddress("10.1.2.3")).toBe(true);
    expect(v6.isAllowedAddress("10.2.0.1")).toBe(false);
  });

  it("rejects an invalid CIDR at creation", () => {
    expect(() => createAddressGuard({ allowedCidrs: ["127.0.0.1"] })).toThrow("invalid allowed CIDR: \"127.0.0.1\"");
    expect(() => createAddressGuard({ allowedCidrs: ["localhost/8"] })).toThrow("invalid allowed CIDR");
  });
});

describe("checkUrlHost", () => {
  it.each(REFUSED_URLS)("refuses %s", (url, reason) => {
    expect(strict.checkUrlHost(url)).toEqual({ ok: false, reason });
  });

  it.each(["https://hooks.example.com/x", "http://93.184.215.14/", "https://[2606:4700:4700::1111]/", "http://localhost.example.com/"])(
    "passes %s (names are checked at connect time)",
    (url) => {
      expect(strict.checkUrlHost(url)).toEqual({ ok: true });
    },
  );

  it("passes loopback literals and localhost names when 127.0.0.1 is allowed", () => {
    expect(loopbackAllowed.checkUrlHost("http://127.0.0.1:8080/")).toEqual({ ok: true });
    expect(loopbackAllowed.checkUrlHost("http://localhost:8080/")).toEqual({ ok: true });
    expect(loopbackAllowed.checkUrlHost("http://[::1]/")).toEqual({ ok: false, reason: "address ::1 is not allowed" });
  });
});

describe("lookup", () => {
  type Result = { err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };
  function run(guard: ReturnType<typeof createAddressGuard>, host: string, options: { all?: boolean; family?: number }) {
    return new Promise<Result>((resolve) => {
      guard.lookup(host, options, (err, address, family) => resolve({ err, address, family }));
    });
  }
  const answers: Record<string, Array<{ address: string; family: 4 | 6 }>> = {
    "hooks.example.com": [{ address: "127.0.0.1", family: 4 }],
    "mixed.example.com": [
      { address: "10.0.0.5", family: 4 },
      { address: "93.184.215.14", family: 4 },
      { address: "2606:4700:4700::1111", family: 6 },
    ],
    "empty.example.com": [],
  };
  const calls: string[] = [];
  const resolver: Resolver = async (host) => {
    calls.push(host);
    const found = answers[host];
    if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found;
  };

  it("refuses a public-looking name that resolves to loopback", async () => {
    const r = await run(createAddressGuard({ resolver }), "hooks.example.com", { all: true });
    expect(r.err).toBeInstanceOf(BlockedAddressError);
    expect(r.err?.code).toBe("ERR_POSTHORN_BLOCKED_ADDRESS");
    expect(r.err?.message).toBe("hooks.example.com resolves to 127.0.0.1, which is not allowed");
  });

  it("returns the checked address itself, in both callback forms", async () => {
    const guard = createAddressGuard({ resolver, allowedCidrs: ["127.0.0.1/32"] });
    expect(await run(guard, "hooks.example.com", { all: true })).toEqual({
      err: null,
      address: [{ address: "127.0.0.1", family: 4 }],
      family: undefined,
    });
    expect(await run(guard, "hooks.example.com", {})).toEqual({ err: null, address: "127.0.0.1", family: 4 });
  });

  it("keeps only the allowed answers and honours the family", async () => {
    const guard = createAddressGuard({ resolver });
    expect((await run(guard, "mixed.example.com", { all: true })).address).toEqual([
      { address: "93.184.215.14", family: 4 },
      { address: "2606:4700:4700::1111", family: 6 },
    ]);
    expect(await run(guard, "mixed.example.com", { family: 6 })).toEqual({
      err: null,
      address: "2606:4700:4700::1111",
      family: 6,
    });
  });

  it("passes resolver failures through and reports an empty answer as ENOTFOUND", async () => {
    const guard = createAddressGuard({ resolver });
    expect((await run(guard, "nowhere.example.com", { all: true })).err?.code).toBe("ENOTFOUND");
    expect((await run(guard, "empty.example.com", { all: true })).err?.code).toBe("ENOTFOUND");
  });

  it("asks the resolver again on every call (no caching)", async () => {
    calls.length = 0;
    const guard = createAddressGuard({ resolver });
    await run(guard, "hooks.example.com", { all: true });
    await run(guard, "hooks.example.com", { all: true });
    expect(calls).toEqual(["hooks.example.com", "hooks.example.com"]);
  });
});
