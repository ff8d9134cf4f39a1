import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { STORES } from "../helpers/databases.js";
import { connectClient, type ConnectClient } from "../helpers/connect-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

describe.each(STORES)("the API over Connect on the HTTP listener (%s)", (kind) => {
  let t: TestApp;
  let client: ConnectClient;
  beforeAll(async () => {
    t = await startTestApp(kind);
    client = connectClient(t.app.httpAddress!, TEST_ADMIN_KEY);
  });
  afterAll(async () => {
    await t.close();
  });

  it("answers Emit and ListDeliveries over Connect JSON", async () => {
    const { subscription } = await client.subscribe({ customerId: "cus_c1", endpointUrl: "http://127.0.0.1:9/hook" });
    const { event } = await client.emit({ type: "reply.received", customerId: "cus_c1", data: { n: 1 } });
    expect(event!.id).toMatch(/^evt_/);
    const { deliveries } = await client.listDeliveries({ subscriptionId: subscription!.id });
    expect(deliveries.map((d) => d.eventId)).toEqual([event!.id]);
  });

  it("refuses a call without a key UNAUTHENTICATED with the gRPC answer's message", async () => {
    const error = await connectClient(t.app.httpAddress!, undefined).listEventTypes({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unauthenticated);
    expect((error as ConnectError).rawMessage).toContain("no API key");
  });
});
