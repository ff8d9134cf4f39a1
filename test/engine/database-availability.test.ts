import { describe, expect, it } from "vitest";
import { createAvailabilityMonitor, isDatabaseUnavailable } from "../../server/src/store/availability.js";
import { eventually } from "../helpers/eventually.js";

describe("isDatabaseUnavailable", () => {
  it.each([
    ["refused", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })],
    ["reset", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
    ["57P01 admin shutdown", Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })],
    ["57P03 starting up", Object.assign(new Error("the database system is starting up"), { code: "57P03" })],
    ["class 08", Object.assign(new Error("connection failure"), { code: "08006" })],
    ["terminated", new Error("Connection terminated unexpectedly")],
    ["pool connect timeout", new Error("timeout exceeded when trying to connect")],
    ["aggregate of refusals", Object.assign(new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]), {})],
  ])("true for %s", (_name, error) => expect(isDatabaseUnavailable(error)).toBe(true));

  it.each([
    ["unique violation", Object.assign(new Error("duplicate key"), { code: "23505" })],
    ["syntax error", Object.assign(new Error("syntax error"), { code: "42601" })],
    ["a plain error", new Error("boom")],
    ["not an error", "ECONNREFUSED"],
  ])("false for %s", (_name, error) => expect(isDatabaseUnavailable(error)).toBe(false));
});

describe("availability monitor", () => {
  it("goes down on a connection-class failure, probes until the database answers, logs one line each way", async () => {
    let answering = false;
    const lines: string[] = [];
    const monitor = createAvailabilityMonitor({
      probe: async () => {
        if (!answering) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
      log: (level, message) => lines.push(`${level} ${message}`),
      retryMs: 5,
      maxRetryMs: 20,
      checkEveryMs: 0,
    });
    const changes: boolean[] = [];
    monitor.onChange((up) => changes.push(up));
    try {
      expect(monitor.reportFailure(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
      expect(monitor.up).toBe(true);
      // A connection that died is checked with a probe before the database counts as down.
      expect(monitor.reportFailure(Object.assign(new Error("terminating connection"), { code: "57P01" }))).toBe(true);
      expect(monitor.reportFailure(new Error("Connection terminated unexpectedly"))).toBe(true);
      expect(await eventually(async () => monitor.up, (up) => !up)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 100)); // several failed probes
      expect(monitor.up).toBe(false);
      answering = true;
      expect(await eventually(async () => monitor.up, (up) => up)).toBe(true);
      expect(changes).toEqual([false, true]);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^warn database unreachable: connect ECONNREFUSED; retrying$/);
      expect(lines[1]).toMatch(/^info database reachable again after \d+\.\d s$/);
    } finally {
      monitor.close();
    }
  });

  it("one killed connection is not an outage: it stays up when a fresh probe answers", async () => {
    const lines: string[] = [];
    let probes = 0;
    const monitor = createAvailabilityMonitor({ probe: async () => void probes++, log: (level, message) => lines.push(`${level} ${message}`), checkEveryMs: 0 });
    const changes: boolean[] = [];
    monitor.onChange((up) => changes.push(up));
    try {
      expect(monitor.reportFailure(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }))).toBe(true);
      expect(await eventually(async () => probes, (n) => n > 0)).toBe(1);
      expect(monitor.up).toBe(true);
      expect(changes).toEqual([]);
      expect(lines).toEqual([]);
      // A refused connection needs no probe: the database is down.
      expect(monitor.reportFailure(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }))).toBe(true);
      expect(monitor.up).toBe(false);
    } finally {
      monitor.close();
    }
  });
});
