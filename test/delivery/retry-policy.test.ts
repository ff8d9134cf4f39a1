import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  decideAfterAttempt,
  isRetryableStatus,
  maxAttempts,
  parseRetryAfter,
  type RetryPolicy,
} from "../../server/src/delivery/retry-policy.js";
import type { AttemptOutcome } from "../../server/src/delivery/transport.js";

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0); // fixed clock: 2025-01-15T12:00:00Z
const MID = () => 0.5; // jitter factor exactly 1
const POLICY = DEFAULT_RETRY_POLICY;

function outcome(fields: Partial<AttemptOutcome>): AttemptOutcome {
  return { responseExcerpt: "", durationMs: 1, ...fields };
}

function decide(attemptNumber: number, o: Partial<AttemptOutcome>, random = MID, policy: RetryPolicy = POLICY) {
  return decideAfterAttempt({ attemptNumber, outcome: outcome(o), nowMs: NOW, random, policy });
}

/** Small deterministic PRNG (mulberry32) so the jitter sweep is reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("DEFAULT_RETRY_POLICY", () => {
  it("is the contract's schedule: 6 attempts, 30 s … 24 h, ±20 %, hints capped at 24 h", () => {
    expect(POLICY.scheduleSeconds).toEqual([30, 300, 1800, 21600, 86400]);
    expect(maxAttempts(POLICY)).toBe(6);
    expect(POLICY.jitterRatio).toBe(0.2);
    expect(POLICY.maxRetryAfterSeconds).toBe(86400);
  });
});

describe("isRetryableStatus", () => {
  it.each([
    [undefined, true],
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [599, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [410, false],
    [422, false],
    [301, false],
    [302, false],
    [200, false],
    [204, false],
    [600, false],
  ])("status %s → %s", (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds `120` as 120 s", () => {
    expect(parseRetryAfter("120", NOW)).toBe(120);
  });
  it("reads an HTTP date 10 minutes ahead as 600 s", () => {
    const header = new Date(NOW + 10 * 60_000).toUTCString();
    expect(header).toBe("Wed, 15 Jan 2025 12:10:00 GMT");
    expect(parseRetryAfter(header, NOW)).toBe(600);
  });
  it("reads `0` as 0 s", () => {
    expect(parseRetryAfter("0", NOW)).toBe(0);
  });
  it("reads `999999` as is (the cap is the policy's job)", () => {
    expect(parseRetryAfter("999999", NOW)).toBe(999999);
  });
  it("ignores `soon`", () => {
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
  });
  it.each(["", " ", "-5", "1.5", "12s", "1e3", "Wed, 15 Jan 2025 12:10:00", "Wed, 30 Feb 2025 12:10:00 GMT", "tomorrow 12"])(
    "ignores garbage %j",
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    },
  );
  it("ignores an absent header", () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
  it("treats a past date as 0 s", () => {
    expect(parseRetryAfter("Wed, 15 Jan 2025 11:00:00 GMT", NOW)).toBe(0);
  });
  it("rounds a partial second up", () => {
    expect(parseRetryAfter("Wed, 15 Jan 2025 12:00:01 GMT", NOW - 500)).toBe(2);
  });
  it("accepts the obsolete RFC 850 and asctime forms (RFC 9110 §5.6.7)", () => {
    expect(parseRetryAfter("Wednesday, 15-Jan-25 12:02:00 GMT", NOW)).toBe(120);
    expect(parseRetryAfter("Wed Jan 15 12:03:00 2025", NOW)).toBe(180);
    expect(parseRetryAfter("Wed Jan  1 12:00:00 2025", NOW)).toBe(0);
  });
  it("tolerates surrounding whitespace", () => {
    expect(parseRetryAfter(" 120 ", NOW)).toBe(120);
  });
});

describe("decideAfterAttempt", () => {
  it.each([200, 201, 202, 204, 299])("succeeds on %i", (statusCode) => {
    expect(decide(1, { statusCode })).toEqual({ kind: "succeeded" });
  });

  it("follows the schedule exactly without jitter", () => {
    const noJitter = { ...POLICY, jitterRatio: 0 };
    const delays = [1, 2, 3, 4, 5].map((n) => decide(n, { statusCode: 500 }, Math.random, noJitter));
    expect(delays).toEqual([30, 300, 1800, 21600, 86400].map((s) => ({
      kind: "retry",
      delayMs: s * 1000,
      nextAttemptAtMs: NOW + s * 1000,
    })));
  });

  it("fails after the sixth attempt", () => {
    expect(decide(6, { statusCode: 500 })).toEqual({
      kind: "failed",
      reason: "attempts exhausted (6 of 6); last: status 500",
    });
    expect(decide(6, { errorKind: "timeout" })).toEqual({
      kind: "failed",
      reason: "attempts exhausted (6 of 6); last: timeout",
    });
  });

  it("after a manual retry beyond the schedule: fails at once, saying no automatic attempt is left (not \"8 of 6\")", () => {
    // RetryDelivery / RecoverFailedDeliveries of a delivery that used its 6 attempts make attempt 7, 8, …
    expect(decide(7, { statusCode: 500 })).toEqual({
      kind: "failed",
      reason:
        "attempt 7 failed (status 500); no automatic attempts left " +
        "(the schedule has 6; attempts beyond it are made only by RetryDelivery or RecoverFailedDeliveries)",
    });
    expect(decide(8, { errorKind: "connection_refused" })).toEqual({
      kind: "failed",
      reason:
        "attempt 8 failed (connection_refused); no automatic attempts left " +
        "(the schedule has 6; attempts beyond it are made only by RetryDelivery or RecoverFailedDeliveries)",
    });
    expect(decide(9, { errorKind: "abandoned" })).toMatchObject({ kind: "failed", reason: expect.stringMatching(/^attempt 9 failed \(abandoned\); no automatic/) });
    // A final status says so, whatever the attempt number.
    expect(decide(8, { statusCode: 400 })).toEqual({ kind: "failed", reason: "final status 400" });
  });

  it("after a manual retry within the schedule (e.g. attempt 2 failed on a final status): the schedule continues from there", () => {
    expect(decide(3, { statusCode: 503 }, () => 0.5)).toEqual({ kind: "retry", delayMs: 1_800_000, nextAttemptAtMs: NOW + 1_800_000 });
  });

  it("retries an abandoned attempt at once (the worker died, not the endpoint) until the attempts are used up", () => {
    expect([1, 3, 5].map((n) => decide(n, { errorKind: "abandoned" }))).toEqual([1, 3, 5].map(() => ({ kind: "retry", delayMs: 0, nextAttemptAtMs: NOW })));
    expect(decide(6, { errorKind: "abandoned" })).toEqual({ kind: "failed", reason: "attempts exhausted (6 of 6); last: abandoned" });
  });

  it("retries an attempt aborted by a shutdown on the schedule", () => {
    const noJitter = { ...POLICY, jitterRatio: 0 };
    expect(decide(2, { errorKind: "shutdown" }, Math.random, noJitter)).toEqual({ kind: "retry", delayMs: 300_000, nextAttemptAtMs: NOW + 300_000 });
  });

  it("keeps every jittered delay within ±20 % of the schedule and uses the whole range", () => {
    const random = seeded(42);
    for (let n = 1; n <= 5; n++) {
      const base = (POLICY.scheduleSeconds[n - 1] as number) * 1000;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < 2000; i++) {
        const d = decide(n, { errorKind: "connection_refused" }, random);
        if (d.kind !== "retry") throw new Error(`expected retry, got ${d.kind}`);
        expect(d.nextAttemptAtMs).toBe(NOW + d.delayMs);
        min = Math.min(min, d.delayMs);
        max = Math.max(max, d.delayMs);
      }
      expect(min).toBeGreaterThanOrEqual(Math.round(base * 0.8));
      expect(max).toBeLessThanOrEqual(Math.round(base * 1.2));
      // 2000 uniform draws reach within 1 % of both ends.
      expect(min).toBeLessThan(base * 0.81);
      expect(max).toBeGreaterThan(base * 1.19);
    }
  });

  it("maps the random extremes to the jitter bounds", () => {
    expect(decide(1, { statusCode: 503 }, () => 0)).toMatchObject({ kind: "retry", delayMs: 24_000 });
    expect(decide(1, { statusCode: 503 }, () => 0.999999)).toMatchObject({ kind: "retry", delayMs: 36_000 });
  });

  it.each([undefined, 408, 429, 500, 503])("retries status %s with attempts left", (statusCode) => {
    expect(decide(2, { statusCode })).toEqual({ kind: "retry", delayMs: 300_000, nextAttemptAtMs: NOW + 300_000 });
  });

  it.each(["timeout", "connection_refused", "dns", "tls", "connection_reset", "other"] as const)(
    "retries network error %s",
    (errorKind) => {
      expect(decide(1, { errorKind })).toEqual({ kind: "retry", delayMs: 30_000, nextAttemptAtMs: NOW + 30_000 });
    },
  );

  it.each([400, 401, 403, 404, 422])("fails for good on %i", (statusCode) => {
    expect(decide(1, { statusCode })).toEqual({ kind: "failed", reason: `final status ${statusCode}` });
  });

  it("does not retry a blocked address", () => {
    expect(decide(1, { errorKind: "blocked_address", errorMessage: "address 10.0.0.1 is not allowed" })).toEqual({
      kind: "failed",
      reason: "blocked address: address 10.0.0.1 is not allowed",
    });
  });

  it("fails on 410 and disables the subscription", () => {
    expect(decide(1, { statusCode: 410 })).toEqual({
      kind: "failed",
      reason: "endpoint returned 410 Gone",
      disableSubscription: { reason: "endpoint returned 410 Gone" },
    });
  });

  it("fails on a redirect and names its Location", () => {
    expect(decide(1, { statusCode: 301, location: "https://new.example.com/hook" })).toEqual({
      kind: "failed",
      reason: "redirect status 301 not followed (Location: https://new.example.com/hook)",
    });
    expect(decide(1, { statusCode: 307 })).toEqual({
      kind: "failed",
      reason: "redirect status 307 not followed (no Location header)",
    });
  });

  it("lets a non-2xx status decide even when the body then timed out", () => {
    expect(decide(1, { statusCode: 404, errorKind: "timeout" })).toEqual({ kind: "failed", reason: "final status 404" });
  });

  it("retries a 2xx whose body missed the deadline", () => {
    expect(decide(1, { statusCode: 200, errorKind: "timeout" })).toEqual({
      kind: "retry",
      delayMs: 30_000,
      nextAttemptAtMs: NOW + 30_000,
    });
  });

  describe("Retry-After on 429 and 503", () => {
    const cases: Array<[string, string, number]> = [
      ["120 (longer than the 30 s step)", "120", 120_000],
      ["an HTTP date 10 minutes ahead", new Date(NOW + 600_000).toUTCString(), 600_000],
      ["0 (the schedule wins)", "0", 30_000],
      ["999999 (capped at 24 h)", "999999", 86_400_000],
      ["soon (ignored)", "soon", 30_000],
    ];
    for (const statusCode of [429, 503]) {
      it.each(cases)(`${statusCode} with %s`, (_label, retryAfter, delayMs) => {
        expect(decide(1, { statusCode, retryAfter })).toEqual({ kind: "retry", delayMs, nextAttemptAtMs: NOW + delayMs });
      });
    }

    it("never shortens the jittered schedule", () => {
      // Attempt 4 waits 6 h ± 20 %; a 120 s hint does not shorten it.
      expect(decide(4, { statusCode: 429, retryAfter: "120" }, () => 0)).toMatchObject({ delayMs: 17_280_000 });
    });

    it("does not add attempts", () => {
      expect(decide(6, { statusCode: 429, retryAfter: "120" })).toEqual({
        kind: "failed",
        reason: "attempts exhausted (6 of 6); last: status 429",
      });
    });

    it("is ignored on other retryable statuses", () => {
      expect(decide(1, { statusCode: 500, retryAfter: "120" })).toMatchObject({ delayMs: 30_000 });
      expect(decide(1, { statusCode: 408, retryAfter: "120" })).toMatchObject({ delayMs: 30_000 });
    });

    it("honours a configured cap", () => {
      const policy = { ...POLICY, maxRetryAfterSeconds: 3600 };
      expect(decide(1, { statusCode: 503, retryAfter: "999999" }, MID, policy)).toMatchObject({ delayMs: 3_600_000 });
    });
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects attempt number %s", (attemptNumber) => {
    expect(() => decide(attemptNumber, { statusCode: 500 })).toThrow(RangeError);
  });
});
