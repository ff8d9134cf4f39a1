/** The Endpoints table's word on an endpoint's health (portal/src/endpoints/health-hint.ts). */
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { EndpointHealth, SubscriptionSchema } from "@posthorn/proto/schema";
import { describe, expect, it } from "vitest";
import { healthHint } from "../../portal/src/endpoints/health-hint.js";

const since = timestampFromMs(Date.UTC(2026, 11, 1, 9, 30));
const shown = new Date(Date.UTC(2026, 11, 1, 9, 30)).toLocaleString();
const endpoint = (health: EndpointHealth, enabled = true) =>
  create(SubscriptionSchema, { enabled, health, ...(health === EndpointHealth.HEALTHY ? {} : { failingSinceTime: since }) });

describe("healthHint", () => {
  it("names a failing endpoint's spell and warns of the disable; a degraded one says since when", () => {
    expect(healthHint(endpoint(EndpointHealth.FAILING))).toBe(`Failing since ${shown}: it will be disabled if it keeps failing`);
    expect(healthHint(endpoint(EndpointHealth.DEGRADED))).toBe(`Every attempt has failed since ${shown}`);
  });

  it("says nothing of a healthy endpoint, nor of a disabled one (its reason is shown instead)", () => {
    expect(healthHint(endpoint(EndpointHealth.HEALTHY))).toBeUndefined();
    expect(healthHint(endpoint(EndpointHealth.DISABLED, false))).toBeUndefined();
  });
});
