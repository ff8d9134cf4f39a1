import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLog } from "../helpers/capture-log.js";
import { connectClient } from "../helpers/connect-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

/** The value of `name{labels}` in the registry's text, 0 when absent. */
async function sample(t: TestApp, name: string, labels: string): Promise<number> {
  const text = await t.app.metrics.registry.metrics();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
}

const rpc = (method: string) => `grpc_type="unary",grpc_service="posthorn.v1.WebhookService",grpc_method="${method}"`;

describe("Connect calls in the metrics and the access log", () => {
  let t: TestApp;
  const log = captureLog("debug");
  beforeAll(async () => {
    t = await startTestApp("pglite", {}, { logger: log.logger });
  });
  afterAll(async () => t?.close());

  it("counts them in the gRPC server metrics and logs one \"rpc\" line each, with the protocol", async () => {
    const okBefore = await sample(t, "grpc_server_handled_total", `${rpc("Emit")},grpc_code="OK"`);
    const badBefore = await sample(t, "grpc_server_handled_total", `${rpc("GetEvent")},grpc_code="InvalidArgument"`);
    const client = connectClient(t.app.httpAddress!, TEST_ADMIN_KEY);
    await client.emit({ type: "lead.created", customerId: "cus_obs", data: {} });
    await client.getEvent({ id: "nope" }).catch(() => undefined);
    await connectClient(t.app.httpAddress!, TEST_ADMIN_KEY, "grpc-web").listEventTypes({});
    expect(await sample(t, "grpc_server_handled_total", `${rpc("Emit")},grpc_code="OK"`)).toBe(okBefore + 1);
    expect(await sample(t, "grpc_server_handled_total", `${rpc("GetEvent")},grpc_code="InvalidArgument"`)).toBe(badBefore + 1);

    const lines = log.lines.filter((l) => l.msg === "rpc");
    expect(lines.find((l) => l.method === "Emit")).toMatchObject({ level: 20, code: "OK", role: "admin", protocol: "connect", peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(lines.find((l) => l.method === "GetEvent")).toMatchObject({ level: 30, code: "InvalidArgument", protocol: "connect" });
    expect(lines.find((l) => l.method === "ListEventTypes")).toMatchObject({ code: "OK", protocol: "grpc-web" });
  });
});
