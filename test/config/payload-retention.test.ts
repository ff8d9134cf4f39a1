/** POSTHORN_PAYLOAD_RETENTION_DAYS: optional, whole days, shorter than POSTHORN_RETENTION_DAYS. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../server/src/config/load-config.js";

describe("payload retention setting", () => {
  it("is unset by default (payloads kept as long as their events) and read as whole days", () => {
    expect([loadConfig({}).payloadRetentionDays, loadConfig({}).retentionDays]).toEqual([undefined, 30]);
    expect(loadConfig({ POSTHORN_PAYLOAD_RETENTION_DAYS: "7" }).payloadRetentionDays).toBe(7);
  });

  it.each([
    ["0", "POSTHORN_PAYLOAD_RETENTION_DAYS (payloadRetentionDays): at least 1 day"],
    ["1.5", "POSTHORN_PAYLOAD_RETENTION_DAYS (payloadRetentionDays): whole days"],
    ["30", "POSTHORN_PAYLOAD_RETENTION_DAYS (payloadRetentionDays): 30 days is not less than POSTHORN_RETENTION_DAYS (30 days)"],
  ])("refuses %s, saying why", (value, message) => {
    expect(() => loadConfig({ POSTHORN_PAYLOAD_RETENTION_DAYS: value })).toThrow(message);
  });

  it("may be as long as one day less than the retention", () => {
    expect(loadConfig({ POSTHORN_RETENTION_DAYS: "90", POSTHORN_PAYLOAD_RETENTION_DAYS: "89" }).payloadRetentionDays).toBe(89);
    expect(() => loadConfig({ POSTHORN_RETENTION_DAYS: "7", POSTHORN_PAYLOAD_RETENTION_DAYS: "14" })).toThrow(/14 days is not less than POSTHORN_RETENTION_DAYS \(7 days\)/);
  });
});
