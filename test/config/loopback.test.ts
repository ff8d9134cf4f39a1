/** Which listen addresses count as loopback (the plaintext-without-opt-in rule, and the CLI's key file). */
import { describe, expect, it } from "vitest";
import { isLoopbackAddress } from "../../server/src/config/loopback.js";

describe("isLoopbackAddress", () => {
  it.each([
    ["127.0.0.1:50051", true],
    ["127.9.8.7:0", true],
    ["localhost:1", true],
    ["LOCALHOST:1", true],
    ["[::1]:1", true],
    ["[::ffff:127.0.0.1]:1", true],
    ["0.0.0.0:50051", false],
    ["[::]:50051", false],
    ["10.0.0.5:1", false],
    ["127.1:1", false],
    ["posthorn.internal:1", false],
    ["localhost.evil.example:1", false],
  ])("%s → %s", (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
  });
});
