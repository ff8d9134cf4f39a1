import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttemptErrorKind, DeliveryState, PosthornError, status } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

describe.each(STORES)("address safety at send time (%s)", (kind) => {
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    // No allowed CIDRs: loopback is off limits. A public-looking name resolves to 127.0.0.1.
    t = await startTestApp(
      kind,
      { workers: true, allowedCidrs: [] },
      { resolver: async (host) => (host === "hooks.example.com" ? [{ address: "127.0.0.1", family: 4 }] : []) },
    );
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it("refuses a name that resolves to loopback, records the attempt as blocked, and does not retry", async () => {
    const port = new URL(receiver.url).port;
    const { subscription } = await t.client.subscribe({ customerId: "cus_ssrf", endpointUrl: `http://hooks.example.com:${port}/hook` });
    const { event } = await t.client.emit({ type: "lead.created", customerId: "cus_ssrf", data: {} });
    await t.app.engine!.idle();
    const { deliveries } = await t.client.listDeliveries({ eventId: event!.id });
    expect(deliveries[0]!.state).toBe(DeliveryState.FAILED);
    expect(deliveries[0]!.attempts).toHaveLength(1);
    expect(deliveries[0]!.attempts[0]!.errorKind).toBe(AttemptErrorKind.BLOCKED_ADDRESS);
    expect(deliveries[0]!.attempts[0]!.willRetry).toBe(false);
    expect(receiver.requests).toHaveLength(0);
    // Retried by hand, it is checked again.
    await t.client.retryDelivery({ id: deliveries[0]!.id });
    await t.app.engine!.idle();
    const { delivery } = await t.client.getDelivery({ id: deliveries[0]!.id });
    expect(delivery!.attempts.map((a) => a.errorKind)).toEqual([AttemptErrorKind.BLOCKED_ADDRESS, AttemptErrorKind.BLOCKED_ADDRESS]);
    expect(receiver.requests).toHaveLength(0);
    expect(subscription!.enabled).toBe(true);
  });

  it.each([
    "http://127.0.0.1/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[ff02::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://2130706433/hook",
    "http://0x7f000001/hook",
    "http://017700000001/hook",
    "http://127.1/hook",
    "http://localhost/hook",
    "http://api.localhost/hook",
  ])("Subscribe refuses the literal non-global host of %s", async (endpointUrl) => {
    const error = await t.client.subscribe({ customerId: "cus_ssrf", endpointUrl }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PosthornError);
    expect((error as PosthornError).code).toBe(status.INVALID_ARGUMENT);
    expect((error as PosthornError).details).toMatch(/^endpoint_url: /);
  });
});
