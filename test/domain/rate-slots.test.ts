import { describe, expect, it } from "vitest";
import { advancedTatMs, effectiveBurst, emissionIntervalMs, splitSlots, toleranceMs, type RateLimit } from "../../server/src/domain/rate-slots.js";

/** Takes `wanted` slots at `nowMs` like take-rate-slots.ts + rate-gate.ts: advance the TAT, then split. */
function take(limit: RateLimit, tatMs: number | null, nowMs: number, wanted: number) {
  const tat = advancedTatMs(limit, tatMs, nowMs, wanted);
  return { tat, ...splitSlots(limit, tat, nowMs, wanted) };
}

describe("GCRA slots (domain/rate-slots.ts)", () => {
  it("derives T, the burst and τ = (burst − 1)·T; burst 0 means one second's worth", () => {
    expect(emissionIntervalMs({ perSecond: 10, burst: 0 })).toBe(100);
    expect(effectiveBurst({ perSecond: 10, burst: 0 })).toBe(10);
    expect(effectiveBurst({ perSecond: 10, burst: 3 })).toBe(3);
    expect(toleranceMs({ perSecond: 10, burst: 3 })).toBe(200);
    expect(toleranceMs({ perSecond: 4, burst: 1 })).toBe(0);
  });

  // Vectors worked by hand from the ATM Forum TM 4.0 virtual-scheduling rule:
  // conforming iff TAT ≤ t + τ, then TAT = max(TAT, t) + T.
  it.each([
    // limit, tat before, now, wanted → granted, reserved slot times, tat after
    { name: "fresh bucket, within the burst", limit: { perSecond: 10, burst: 3 }, tat: null, now: 1000, wanted: 2, granted: 2, reserved: [], tatAfter: 1200 },
    { name: "fresh bucket, exactly the burst", limit: { perSecond: 10, burst: 3 }, tat: null, now: 1000, wanted: 3, granted: 3, reserved: [], tatAfter: 1300 },
    { name: "fresh bucket, past the burst: the rest one T apart after τ", limit: { perSecond: 10, burst: 3 }, tat: null, now: 1000, wanted: 5, granted: 3, reserved: [1100, 1200], tatAfter: 1500 },
    { name: "burst 1: one now, then every T", limit: { perSecond: 4, burst: 1 }, tat: null, now: 0, wanted: 3, granted: 1, reserved: [250, 500], tatAfter: 750 },
    { name: "an old TAT counts as now (idle bucket refilled)", limit: { perSecond: 10, burst: 2 }, tat: 100, now: 5000, wanted: 2, granted: 2, reserved: [], tatAfter: 5200 },
    { name: "TAT ahead but within τ: some conform", limit: { perSecond: 10, burst: 3 }, tat: 1150, now: 1000, wanted: 3, granted: 1, reserved: [1050, 1150], tatAfter: 1450 },
    { name: "TAT just past now + τ: none conform", limit: { perSecond: 10, burst: 3 }, tat: 1201, now: 1000, wanted: 2, granted: 0, reserved: [1001, 1101], tatAfter: 1401 },
    { name: "TAT exactly now + τ conforms (≤)", limit: { perSecond: 10, burst: 3 }, tat: 1200, now: 1000, wanted: 1, granted: 1, reserved: [], tatAfter: 1300 },
    { name: "reserved slots round up to whole ms", limit: { perSecond: 3, burst: 1 }, tat: null, now: 0, wanted: 3, granted: 1, reserved: [334, 667], tatAfter: 1000 },
  ])("$name", ({ limit, tat, now, wanted, granted, reserved, tatAfter }) => {
    const result = take(limit, tat, now, wanted);
    expect(result.granted).toBe(granted);
    expect(result.reservedMs).toEqual(reserved);
    expect(result.tat).toBeCloseTo(tatAfter, 6);
  });

  it("a full claim batch at 1/s: one now, 99 reserved one second apart", () => {
    const result = take({ perSecond: 1, burst: 1 }, null, 0, 100);
    expect(result.granted).toBe(1);
    expect(result.reservedMs).toEqual(Array.from({ length: 99 }, (_, j) => (j + 1) * 1000));
  });

  it("a second take continues after the first one's reservations (no two slots at once)", () => {
    const limit = { perSecond: 10, burst: 1 };
    const first = take(limit, null, 0, 5);
    const second = take(limit, first.tat, 10, 5);
    expect(second.granted).toBe(0);
    expect(second.reservedMs[0]).toBe(first.reservedMs.at(-1)! + 100);
  });

  it("never more than rate·w + burst in any window: simulated takes at random times", () => {
    const limit = { perSecond: 7, burst: 4 };
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let tat: number | null = null;
    const sends: number[] = [];
    let now = 0;
    for (let i = 0; i < 300; i++) {
      now += random() * 400;
      const wanted = 1 + Math.floor(random() * 6);
      const result = take(limit, tat, now, wanted);
      tat = result.tat;
      for (let k = 0; k < result.granted; k++) sends.push(now);
      sends.push(...result.reservedMs); // a reserved slot is used when it is due
    }
    sends.sort((a, b) => a - b);
    for (let i = 0; i < sends.length; i++) {
      for (const w of [0, 500, 1000, 5000]) {
        const inWindow = sends.filter((t) => t >= sends[i]! && t <= sends[i]! + w).length;
        expect(inWindow).toBeLessThanOrEqual(Math.floor((limit.perSecond * w) / 1000) + limit.burst);
      }
    }
  });
});
