import { execFile } from "node:child_process";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceError } from "@grpc/grpc-js";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { WebhookService } from "@posthorn/proto";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { openHealthClient } from "../helpers/health-client.js";
import { askReflection } from "../helpers/reflection-client.js";

const run = promisify(execFile);
const BUF = fileURLToPath(new URL("../../node_modules/.bin/buf", import.meta.url));

/**
 * The default catalog (contract "Event types"), in its order. Written out, not imported from the
 * server, so that the test fails if the server's default drifts from the contract.
 */
// jscpd:ignore-start
const DEFAULT_CATALOG = [
  "lead.created", "lead.qualified", "lead.disqualified", "lead.enriched",
  "draft.created", "draft.approved", "draft.sent",
  "reply.received", "reply.classified",
  "demo.booked", "demo.held",
  "deal.created", "deal.won", "deal.lost",
  "payment.received", "health.changed", "churn.predicted", "qbr.generated", "pulse.published",
];
// jscpd:ignore-end

describe.each(STORES)("health, reflection and the catalog (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("ListEventTypes returns the default catalog of 19 in the contract's order", async () => {
    const { eventTypes } = await t.client.listEventTypes({});
    expect(eventTypes).toEqual(DEFAULT_CATALOG);
    expect(eventTypes).toHaveLength(19);
  });

  it("the standard health service answers SERVING for the server and for WebhookService", async () => {
    const health = openHealthClient(t.app.address!);
    try {
      const check = (service: string) =>
        new Promise<{ status: string } | ServiceError>((resolve) => health.check({ service }, (error, response) => resolve(error ?? response!)));
      expect(await check("")).toEqual({ status: "SERVING" });
      expect(await check("posthorn.v1.WebhookService")).toEqual({ status: "SERVING" });
      expect(await check("no.such.Service")).toMatchObject({ code: 5 }); // NOT_FOUND
    } finally {
      health.close();
    }
  });

  it("reflection lists the WebhookService methods and buf curl can call one", async () => {
    const url = `http://${t.app.address}`;
    const { stdout } = await run(BUF, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-methods", url]);
    const listed = stdout.trim().split("\n").filter((line) => line.startsWith("posthorn.")).sort();
    expect(listed).toEqual(WebhookService.methods.map((m) => `posthorn.v1.WebhookService/${m.name}`).sort());
    expect(listed).toHaveLength(25);
    // Health is described too: callable with reflection alone, no proto file.
    expect(stdout).toContain("grpc.health.v1.Health/Check");
    const healthCheck = await run(BUF, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d", "{}", `${url}/grpc.health.v1.Health/Check`]);
    expect(JSON.parse(healthCheck.stdout)).toEqual({ status: "SERVING" });

    const auth = ["-H", `authorization: Bearer ${TEST_ADMIN_KEY}`];
    const call = await run(BUF, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...auth, "-d", "{}", `${url}/posthorn.v1.WebhookService/ListEventTypes`]);
    expect(JSON.parse(call.stdout)).toMatchObject({ eventTypes: DEFAULT_CATALOG });

    // Without a key: UNAUTHENTICATED, saying what to send (reflection and health need none).
    const anonymous = await run(BUF, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d", "{}", `${url}/posthorn.v1.WebhookService/ListEventTypes`]).then(
      () => undefined,
      (error: { stderr: string }) => error.stderr,
    );
    expect(anonymous).toMatch(/unauthenticated/i);
    expect(anonymous).toContain("authorization: Bearer phk_");

    // A request through reflection-derived JSON reaches the same validation.
    const bad = await run(BUF, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...auth, "-d", '{"id":"nope"}', `${url}/posthorn.v1.WebhookService/GetEvent`]).then(
      () => undefined,
      (error: { stderr: string }) => error.stderr,
    );
    expect(bad).toMatch(/invalid_argument/i);
    expect(bad).toContain("id: is not an event id");
  });

  it.each(["v1", "v1alpha"] as const)("reflection (%s) lists the health service and gives the file that defines it", async (version) => {
    const listed = await askReflection(t.app.address!, { listServices: "" }, version);
    const names = listed.listServicesResponse!.service.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["grpc.health.v1.Health", "posthorn.v1.WebhookService"]));

    const file = await askReflection(t.app.address!, { fileContainingSymbol: "grpc.health.v1.Health" }, version);
    expect(file.errorResponse).toBeUndefined();
    const descriptors = file.fileDescriptorResponse!.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    const health = descriptors.find((d) => d.package === "grpc.health.v1");
    expect(health?.service.map((s) => s.name)).toEqual(["Health"]);
    expect(health?.service[0]?.method.map((m) => m.name)).toEqual(expect.arrayContaining(["Check", "Watch"]));
  });
});
