/** POSTHORN_PUBLIC_URL: the check of the setting, and the portal base URL made without it. */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../server/src/config/config-error.js";
import { parseConfig } from "../../server/src/config/load-config.js";
import { checkPublicUrl, portalBaseUrl } from "../../server/src/config/public-url.js";

describe("publicUrl check", () => {
  it.each([
    ["https://posthorn.example.com", undefined],
    ["https://posthorn.example.com/", undefined],
    ["http://10.0.0.5:8080/posthorn", undefined],
    ["posthorn.example.com", "not an absolute URL"],
    ["ftp://posthorn.example.com", 'scheme "ftp:" is not supported'],
    ["https://posthorn.example.com/?a=1", "must have no query"],
    ["https://posthorn.example.com/?", "must have no query"],
    ["https://posthorn.example.com/#x", "must have no fragment"],
    ["https://user:pw@posthorn.example.com", "must have no user name or password"],
  ])("%s", (value, problem) => {
    if (problem === undefined) expect(checkPublicUrl(value)).toBeUndefined();
    else expect(checkPublicUrl(value)).toContain(problem);
  });

  it("a bad value is a ConfigError naming POSTHORN_PUBLIC_URL", () => {
    expect(() => parseConfig({ publicUrl: "https://x.example/?q" })).toThrow(ConfigError);
    expect(() => parseConfig({ publicUrl: "https://x.example/?q" })).toThrow(/POSTHORN_PUBLIC_URL \(publicUrl\).*must have no query/);
  });
});

describe("portal base URL", () => {
  const base = (settings: Record<string, unknown>, bound?: string) => portalBaseUrl(parseConfig(settings), bound);

  it("is publicUrl without its trailing slash when set, whatever the listener", () => {
    expect(base({ publicUrl: "https://hooks.example.com/posthorn/" })).toBe("https://hooks.example.com/posthorn");
    expect(base({ publicUrl: "https://hooks.example.com", httpAddress: "off" })).toBe("https://hooks.example.com");
  });

  it("is made from httpAddress otherwise: scheme by TLS, the host as written (unspecified → localhost), the bound port", () => {
    expect(base({})).toBe("http://127.0.0.1:8080");
    expect(base({ httpAddress: "portal.internal:9000", insecureListen: true })).toBe("http://portal.internal:9000");
    expect(base({ httpAddress: "[::1]:8080" })).toBe("http://[::1]:8080");
    expect(base({ httpAddress: "0.0.0.0:8080", insecureListen: true })).toBe("http://localhost:8080");
    expect(base({ httpAddress: "[::]:8080", insecureListen: true })).toBe("http://localhost:8080");
    expect(base({ httpAddress: "127.0.0.1:0" }, "127.0.0.1:43121")).toBe("http://127.0.0.1:43121");
    expect(portalBaseUrl({ httpAddress: "0.0.0.0:8443", tlsCertFile: "c.pem", tlsKeyFile: "k.pem" })).toBe("https://localhost:8443");
  });

  it("is undefined when the HTTP listener is off and no publicUrl is set", () => {
    expect(base({ httpAddress: "off" })).toBeUndefined();
  });
});
