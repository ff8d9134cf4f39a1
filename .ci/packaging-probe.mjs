// Run by .ci/check-packaging.sh as `node --input-type=module -e "$(cat .ci/packaging-probe.mjs)"`
// in the runtime tree, so every import below resolves from that tree's production dependencies.
// Against the server the script started (PACKAGING_PROBE_ADDRESS, PACKAGING_PROBE_API_KEY):
//   1. the gRPC health service answers SERVING;
//   2. the TypeScript SDK lists event types, emits an event and reads it back;
//   3. the Dockerfile's HEALTHCHECK command (PACKAGING_PROBE_HEALTHCHECK, a JSON array) exits 0.
// Exits 1 with the reason on the first failure.
import { spawnSync } from "node:child_process";
import { credentials, makeClientConstructor } from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { createWebhookClient } from "@posthorn/sdk";

const address = process.env.PACKAGING_PROBE_ADDRESS;
const apiKey = process.env.PACKAGING_PROBE_API_KEY;
const healthcheck = JSON.parse(process.env.PACKAGING_PROBE_HEALTHCHECK ?? "null");

function fail(message) {
  console.error(`packaging probe: ${message}`);
  process.exit(1);
}

const Health = makeClientConstructor(healthService, "grpc.health.v1.Health");
const health = new Health(address, credentials.createInsecure());
const status = await new Promise((resolve, reject) =>
  health.check({ service: "" }, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response.status))),
).catch((error) => fail(`health check failed: ${error.message}`));
health.close();
if (status !== "SERVING") fail(`health is ${status}, expected SERVING`);

const client = createWebhookClient({ address, apiKey });
try {
  const { eventTypes } = await client.listEventTypes({});
  if (!eventTypes.includes("lead.created")) fail(`event types lack lead.created: ${eventTypes.join(" ")}`);
  const { event } = await client.emit({ type: "lead.created", customerId: "cus_packaging", data: { n: 1 } });
  const { events } = await client.listEvents({ customerId: "cus_packaging" });
  if (events.length !== 1 || events[0].id !== event.id) fail(`emitted ${event.id} but listEvents gave ${events.map((e) => e.id)}`);
  console.log(`packaging probe: health SERVING; emitted and read back ${event.id}`);
} catch (error) {
  fail(`SDK call failed: ${error.message}`);
} finally {
  client.close();
}

if (!Array.isArray(healthcheck)) fail("no HEALTHCHECK command given");
const run = spawnSync(healthcheck[0], healthcheck.slice(1), { stdio: "inherit", timeout: 10_000 });
if (run.status !== 0) fail(`the Dockerfile's HEALTHCHECK command exited ${run.status ?? run.signal}`);
console.log("packaging probe: the Dockerfile's HEALTHCHECK command exits 0");
