import { describe, expect, it } from "vitest";
import { BlockedAddressError } from "../../server/src/delivery/address-guard.js";
import { classifyNetworkError, describeNetworkError } from "../../server/src/delivery/classify-network-error.js";

function coded(code: string, message = `failed: ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe("classifyNetworkError", () => {
  it.each([
    ["ECONNREFUSED", "connection_refused"],
    ["ENOTFOUND", "dns"],
    ["EAI_AGAIN", "dns"],
    ["ECONNRESET", "connection_reset"],
    ["EPIPE", "connection_reset"],
    ["UND_ERR_SOCKET", "connection_reset"],
    ["UND_ERR_CONNECT_TIMEOUT", "timeout"],
    ["UND_ERR_HEADERS_TIMEOUT", "timeout"],
    ["UND_ERR_BODY_TIMEOUT", "timeout"],
    ["ETIMEDOUT", "timeout"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "tls"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "tls"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls"],
    ["CERT_HAS_EXPIRED", "tls"],
    ["EHOSTUNREACH", "other"],
  ])("%s → %s", (code, kind) => {
    expect(classifyNetworkError(coded(code))).toBe(kind);
  });

  it("recognises the guard's refusal", () => {
    expect(classifyNetworkError(new BlockedAddressError("nope"))).toBe("blocked_address");
  });

  it("looks through wrapping errors' causes", () => {
    const wrapped = new TypeError("fetch failed", { cause: coded("ECONNREFUSED") });
    expect(classifyNetworkError(wrapped)).toBe("connection_refused");
  });

  it("treats an abort as a timeout and unknown values as other", () => {
    expect(classifyNetworkError(Object.assign(new Error("aborted"), { name: "AbortError" }))).toBe("timeout");
    expect(classifyNetworkError("boom")).toBe("other");
    expect(classifyNetworkError(new Error("boom"))).toBe("other");
  });
});

describe("describeNetworkError", () => {
  it("joins the cause chain, adds codes the message lacks and flattens whitespace", () => {
    const err = new TypeError("fetch failed", { cause: coded("ECONNRESET", "other side\nclosed\n") });
    expect(describeNetworkError(err)).toBe("fetch failed: other side closed (ECONNRESET)");
    expect(describeNetworkError(coded("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"))).toBe("connect ECONNREFUSED 127.0.0.1:1");
    expect(describeNetworkError(new BlockedAddressError("address 10.0.0.1 is not allowed"))).toBe("address 10.0.0.1 is not allowed");
  });

  it("bounds the text", () => {
    const text = describeNetworkError(new Error("x".repeat(1000)), 500);
    expect(text).toHaveLength(500);
    expect(text.endsWith("…")).toBe(true);
  });
});
