import { describe, expect, it } from "vitest";
import { autoDisableReason, disableAtMs, disableRecencyMs, judgeFailingSpell, mayChangeVerdict } from "../../server/src/domain/endpoint-health-rule.js";
import { isEndpointFailure } from "../../server/src/store/record-endpoint-health.js";

const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 29, 10, 0, 0);
const SETTINGS = { endpointWarnAfterHours: 24, endpointDisableAfterHours: 120, endpointDisableMinAttempts: 10 };
const at = (hours: number) => new Date(START + hours * HOUR);
const spell = (over: Partial<Parameters<typeof judgeFailingSpell>[0]> = {}) => ({
  failingSince: at(0),
  warnedAt: null,
  failedAttempts: 37,
  lastFailedAt: at(119),
  ...over,
});

describe("endpoint health rule", () => {
  it("counts attempts only when the verdict can change: not warned yet, or past the disable window (never for a judged-none spell of any count)", () => {
    expect(mayChangeVerdict(spell(), at(24), SETTINGS)).toBe(true);
    expect(mayChangeVerdict(spell({ warnedAt: at(24) }), at(60), SETTINGS)).toBe(false);
    expect(mayChangeVerdict(spell({ warnedAt: at(24) }), at(120), SETTINGS)).toBe(true);
    expect(mayChangeVerdict(spell({ warnedAt: at(24) }), at(500), { ...SETTINGS, endpointDisableAfterHours: 0 })).toBe(false);
    // Wherever it says "no change", the rule judges `none` whatever the attempts.
    for (const hours of [24, 30, 60, 119.9]) {
      const warned = spell({ warnedAt: at(24), failedAttempts: 10_000, lastFailedAt: at(hours) });
      expect(mayChangeVerdict(warned, at(hours), SETTINGS)).toBe(false);
      expect(judgeFailingSpell(warned, at(hours), SETTINGS)).toBe("none");
    }
  });


  it.each([
    ["23 h, not warned", spell(), 23, "none"],
    ["24 h, not warned", spell(), 24, "warn"],
    ["24 h, warned", spell({ warnedAt: at(24) }), 30, "none"],
    ["5 days, enough attempts, a recent one", spell({ warnedAt: at(24) }), 120, "disable"],
    ["5 days, not warned yet: disabled all the same", spell(), 120, "disable"],
    ["5 days less a minute", spell({ warnedAt: at(24) }), 120 - 1 / 60, "none"],
    ["5 days, 9 attempts", spell({ warnedAt: at(24), failedAttempts: 9 }), 120, "none"],
    ["5 days, latest failure 25 h ago (a burst, then nothing)", spell({ warnedAt: at(24), lastFailedAt: at(95) }), 120, "none"],
    ["5 days, latest failure 25 h ago, not warned", spell({ lastFailedAt: at(95) }), 120, "warn"],
    ["5 days, none counted", spell({ warnedAt: at(24), failedAttempts: 0, lastFailedAt: null }), 120, "none"],
  ] as const)("%s: %s", (_name, s, hours, verdict) => {
    expect(judgeFailingSpell(s, at(hours), SETTINGS)).toBe(verdict);
  });

  it("auto-disable off (0 hours): never disables, warns once", () => {
    const off = { ...SETTINGS, endpointDisableAfterHours: 0 };
    expect(judgeFailingSpell(spell(), at(1000), off)).toBe("warn");
    expect(judgeFailingSpell(spell({ warnedAt: at(24) }), at(1000), off)).toBe("none");
    expect(disableAtMs(at(0), off)).toBeNull();
    expect(disableAtMs(at(0), SETTINGS)).toBe(START + 120 * HOUR);
  });

  it("spread: the latest failure within 24 h, or the last fifth of a shorter window", () => {
    expect(disableRecencyMs(120)).toBe(24 * HOUR);
    expect(disableRecencyMs(500)).toBe(24 * HOUR);
    expect(disableRecencyMs(10)).toBe(2 * HOUR);
  });

  it("says what happened in the reason", () => {
    expect(autoDisableReason(spell(), 120)).toBe("every attempt failed for 5 days (37 attempts since 2026-11-29T10:00:00Z)");
    expect(autoDisableReason(spell({ failedAttempts: 1 }), 36)).toBe("every attempt failed for 36 hours (1 attempt since 2026-11-29T10:00:00Z)");
  });

  it("counts the endpoint's failures, not ours (abandoned, shutdown)", () => {
    expect(isEndpointFailure({ succeeded: false, error_kind: null })).toBe(true); // a non-2xx answer
    for (const kind of ["timeout", "connection_refused", "dns", "tls", "connection_reset", "blocked_address", "other"] as const) {
      expect(isEndpointFailure({ succeeded: false, error_kind: kind })).toBe(true);
    }
    expect(isEndpointFailure({ succeeded: false, error_kind: "abandoned" })).toBe(false);
    expect(isEndpointFailure({ succeeded: false, error_kind: "shutdown" })).toBe(false);
    expect(isEndpointFailure({ succeeded: true, error_kind: null })).toBe(false);
  });
});
