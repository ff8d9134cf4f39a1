import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../server/src/config/load-config.js";

describe("endpoint health settings", () => {
  it("default: warn after 24 h, disable after 120 h with at least 10 failed attempts", () => {
    expect(parseConfig({})).toMatchObject({ endpointWarnAfterHours: 24, endpointDisableAfterHours: 120, endpointDisableMinAttempts: 10 });
  });

  it("reads them from the environment", () => {
    const config = loadConfig({
      POSTHORN_ENDPOINT_WARN_AFTER_HOURS: "6",
      POSTHORN_ENDPOINT_DISABLE_AFTER_HOURS: "48",
      POSTHORN_ENDPOINT_DISABLE_MIN_ATTEMPTS: "3",
    });
    expect(config).toMatchObject({ endpointWarnAfterHours: 6, endpointDisableAfterHours: 48, endpointDisableMinAttempts: 3 });
  });

  it("refuses a warning period not shorter than the disable window, naming both settings and the fix", () => {
    const message =
      /POSTHORN_ENDPOINT_WARN_AFTER_HOURS \(endpointWarnAfterHours\): 120 hours is not less than POSTHORN_ENDPOINT_DISABLE_AFTER_HOURS \(120 hours\).*set it below 120, or set POSTHORN_ENDPOINT_DISABLE_AFTER_HOURS to 0/;
    expect(() => loadConfig({ POSTHORN_ENDPOINT_WARN_AFTER_HOURS: "120" })).toThrow(message);
    expect(() => parseConfig({ endpointWarnAfterHours: 30, endpointDisableAfterHours: 24 })).toThrow(/30 hours is not less than POSTHORN_ENDPOINT_DISABLE_AFTER_HOURS \(24 hours\)/);
  });

  it("takes any warning period when auto-disable is off (0)", () => {
    expect(parseConfig({ endpointWarnAfterHours: 500, endpointDisableAfterHours: 0 })).toMatchObject({ endpointWarnAfterHours: 500, endpointDisableAfterHours: 0 });
  });
});
