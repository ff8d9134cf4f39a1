/**
 * `--json` of the commands that answer once: one indented JSON document on stdout (see
 * server/src/cli/json-output.ts), counts as numbers. `emit --count`, `event-types`, `retry`,
 * `recover` and `keys revoke`, against a real server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyRole } from "@posthorn/sdk";
import { runProcess } from "../e2e/child-process.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

describe("--json documents", () => {
  let t: TestApp;
  let receiver: Receiver;
  let subscriptionId: string;
  const posthornJson = async (...args: string[]) => {
    const { code, stdout, stderr } = await runProcess("node", ["server/bin/posthorn.js", ...args, "--json", "--address", t.app.address!, "--api-key", TEST_ADMIN_KEY]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^[[{]\n {2}\S/); // indented by two spaces, not one compact line
    return JSON.parse(stdout) as unknown;
  };

  beforeAll(async () => {
    receiver = await startReceiver((_request, _index, response) => response.writeHead(500).end());
    t = await startTestApp("pglite", { workers: true });
    const { subscription } = await t.client.subscribe({ customerId: "cus_json", endpointUrl: `${new URL(receiver.url).origin}/down` });
    subscriptionId = subscription!.id;
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it("emit --count N prints the run's totals as numbers", async () => {
    const doc = (await posthornJson("emit", "--count", "3", "--type", "lead.created", "--customer", "cus_json")) as Record<string, unknown>;
    expect(doc).toMatchObject({ events: 3, replayed: 0, deliveries: 3 });
    expect(typeof doc.seconds).toBe("number");
  });

  it("event-types prints the ListEventTypes response: the names, and each type with its description", async () => {
    const { eventTypes } = await t.client.listEventTypes({});
    const doc = (await posthornJson("event-types")) as { eventTypes: string[]; types: { name: string; description: string; operational: boolean }[] };
    expect(doc.eventTypes).toEqual(eventTypes);
    expect(doc.types.filter((type) => !type.operational).map((type) => type.name)).toEqual(eventTypes);
    expect(doc.types.find((type) => type.name === "endpoint.disabled")).toMatchObject({ operational: true, description: expect.stringContaining("disabled") });
  });

  it("retry prints the delivery, now pending; recover the count as a number", async () => {
    await t.client.emit({ type: "lead.created", customerId: "cus_json" });
    await t.app.engine!.idle();
    const { deliveries } = await t.client.listDeliveries({ customerId: "cus_json" });
    const id = deliveries[0]!.id;
    expect(await posthornJson("retry", id)).toMatchObject({ delivery: { id, state: "DELIVERY_STATE_PENDING" } });
    expect(await posthornJson("recover", "--subscription", subscriptionId, "--since", "1h")).toEqual({ recoveredDeliveries: 0, skippedPayloadExpiredDeliveries: 0, createdDeliveries: 0 });
  });

  it("keys revoke prints the key with its revoke time", async () => {
    const { apiKey } = await t.client.createApiKey({ name: "json test", role: ApiKeyRole.EMITTER });
    const doc = (await posthornJson("keys", "revoke", apiKey!.id)) as { apiKey: Record<string, unknown> };
    expect(doc.apiKey).toMatchObject({ id: apiKey!.id, name: "json test" });
    expect(doc.apiKey.revokeTime).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
