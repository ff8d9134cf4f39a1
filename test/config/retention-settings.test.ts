import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../server/src/config/load-config.js";

describe("retention settings", () => {
  it("default: 30 days, payloads kept as long, pruning on", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({ retentionDays: 30, prune: true });
    expect(config.payloadRetentionDays).toBeUndefined();
  });

  it("reads them from the environment", () => {
    const config = loadConfig({ POSTHORN_RETENTION_DAYS: "90", POSTHORN_PAYLOAD_RETENTION_DAYS: "7", POSTHORN_PRUNE: "off" });
    expect(config).toMatchObject({ retentionDays: 90, payloadRetentionDays: 7, prune: false });
  });

  it.each([
    ["0", "at least 1 day"],
    ["3651", "at most 3650 days"],
    ["1.5", "whole days"],
  ])("refuses POSTHORN_RETENTION_DAYS=%s", (value, message) => {
    expect(() => loadConfig({ POSTHORN_RETENTION_DAYS: value })).toThrow(new RegExp(`POSTHORN_RETENTION_DAYS \\(retentionDays\\): ${message}`));
  });

  it("refuses a payload retention not shorter than the retention, naming both settings", () => {
    const message = /POSTHORN_PAYLOAD_RETENTION_DAYS \(payloadRetentionDays\): 30 days is not less than POSTHORN_RETENTION_DAYS \(30 days\)/;
    expect(() => loadConfig({ POSTHORN_PAYLOAD_RETENTION_DAYS: "30" })).toThrow(message);
    expect(() => parseConfig({ retentionDays: 10, payloadRetentionDays: 12 })).toThrow(/12 days is not less than POSTHORN_RETENTION_DAYS \(10 days\)/);
    expect(() => loadConfig({ POSTHORN_PAYLOAD_RETENTION_DAYS: "0" })).toThrow(/payloadRetentionDays\): at least 1 day/);
    expect(parseConfig({ retentionDays: 10, payloadRetentionDays: 9 }).payloadRetentionDays).toBe(9);
  });
});
