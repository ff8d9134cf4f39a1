/**
 * `posthorn watch` against a real server whose workers deliver to a loopback receiver: one line
 * per attempt, `--json` lines with numbers as numbers, the local filters, Ctrl-C (exit 0), a
 * dropped connection (exit 1, said clearly) and an unknown subscription (NOT_FOUND, exit 1).
 */
import { createServer, type Server, type Socket, connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess, startProcess } from "../e2e/child-process.js";
import { eventually } from "../helpers/eventually.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

describe("posthorn watch", () => {
  let t: TestApp;
  let receiver: Receiver;
  const watch = (address: string, ...args: string[]) =>
    startProcess("node", ["server/bin/posthorn.js", "watch", ...args, "--address", address, "--api-key", TEST_ADMIN_KEY]);

  beforeAll(async () => {
    // 200 on /ok; 500 on /down (retried in 30 s ± jitter, which the fake clock never reaches);
    // 301 on /moved (a redirect is not followed: failed at once, with a final reason).
    receiver = await startReceiver((request, _index, response) =>
      response.writeHead(request.url.startsWith("/ok") ? 200 : request.url.startsWith("/moved") ? 301 : 500).end(),
    );
    const origin = new URL(receiver.url).origin;
    t = await startTestApp("pglite", { workers: true });
    await t.client.subscribe({ customerId: "cus_watch", endpointUrl: `${origin}/ok` });
    await t.client.subscribe({ customerId: "cus_watch", endpointUrl: `${origin}/down` });
    await t.client.subscribe({ customerId: "cus_watch_other", endpointUrl: `${origin}/ok` });
    await t.client.subscribe({ customerId: "cus_watch_final", endpointUrl: `${origin}/moved` });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it("prints one line per attempt of the customer's deliveries; Ctrl-C ends it with exit 0", async () => {
    const running = watch(t.app.address!, "--customer", "cus_watch");
    await running.waitForLine((line) => line.startsWith(`Watching delivery attempts at ${t.app.address} (customer cus_watch).`));
    await t.client.emit({ type: "lead.created", customerId: "cus_watch_other" }); // another customer: not shown
    await t.client.emit({ type: "deal.won", customerId: "cus_watch" });
    const ok = await running.waitForLine((line) => line.includes("→ succeeded"));
    const down = await running.waitForLine((line) => line.includes("→ pending"));
    expect(ok).toMatch(/^12:00:00 {2}dlv_[0-9a-f]{24} {2}deal\.won {2}cus_watch {2}#1 {2}200 {2}\d+ ms {2}→ succeeded {2}http:\/\/127\.0\.0\.1:\d+\/ok$/);
    expect(down).toMatch(/ {2}#1 {2}500 {2}\d+ ms {2}→ pending, next 12:00:\d\d {2}http:\/\/127\.0\.0\.1:\d+\/down$/);
    expect(running.stdoutLines.join("\n")).not.toContain("cus_watch_other");
    running.child.kill("SIGINT");
    expect(await running.exited).toBe(0);
  });

  it("a failed delivery's final reason is printed once, not again as the attempt's error", async () => {
    const running = watch(t.app.address!, "--customer", "cus_watch_final");
    await running.waitForLine((line) => line.startsWith("Watching delivery attempts"));
    await t.client.emit({ type: "deal.won", customerId: "cus_watch_final" });
    const line = await running.waitForLine((l) => l.includes("→ failed"));
    expect(line).toMatch(/ {2}#1 {2}301 {2}\d+ ms {2}→ failed: redirect status 301 not followed \(no Location header\) {2}http:\/\/127\.0\.0\.1:\d+\/moved$/);
    running.child.kill("SIGINT");
    expect(await running.exited).toBe(0);
  });

  it("--json prints one WatchDeliveriesResponse per line; --event-type and --state filter", async () => {
    const running = watch(t.app.address!, "--customer", "cus_watch", "--event-type", "deal.won", "--state", "pending", "--json");
    const banner = await eventually(async () => running.stderr(), (text) => text.includes("Watching delivery attempts"));
    expect(banner).toContain("(customer cus_watch, event types deal.won, states pending)");
    await t.client.emit({ type: "lead.created", customerId: "cus_watch" }); // another type: not shown
    await t.app.engine!.idle();
    await t.client.emit({ type: "deal.won", customerId: "cus_watch" }); // the /ok attempt succeeds: not shown
    const line = await running.waitForLine((l) => l.startsWith("{"));
    const record = JSON.parse(line) as { delivery: Record<string, unknown>; attempt: Record<string, unknown> };
    expect(record.delivery).toMatchObject({ customerId: "cus_watch", eventType: "deal.won", state: "DELIVERY_STATE_PENDING", attemptCount: 1 });
    expect(record.attempt).toMatchObject({ attemptNumber: 1, statusCode: 500, succeeded: false, willRetry: true });
    await t.app.engine!.idle();
    running.child.kill("SIGINT");
    expect(await running.exited).toBe(0);
    expect(running.stdoutLines).toEqual([line]);
  });

  it("a dropped connection ends it with exit 1 and says so", async () => {
    // A TCP proxy in front of the server: closing its sockets drops the watch's connection.
    const sockets: Socket[] = [];
    const [host, port] = [t.app.address!.split(":")[0]!, Number(t.app.address!.split(":")[1])];
    const proxy: Server = createServer((client) => {
      const upstream = connect(port, host);
      sockets.push(client, upstream);
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const address = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
    try {
      const running = watch(address);
      await running.waitForLine((line) => line.startsWith("Watching delivery attempts"));
      proxy.close();
      for (const socket of sockets) socket.destroy();
      expect(await running.exited).toBe(1);
      expect(running.stderr()).toContain(`posthorn: lost the connection to the server at ${address}`);
      expect(running.stderr()).toContain("Check that the server is still running");
    } finally {
      proxy.close();
    }
  });

  it("a server that shuts down ends the watch: exit 1, saying so", async () => {
    const other = await startTestApp("pglite");
    try {
      const running = watch(other.app.address!);
      await running.waitForLine((line) => line.startsWith("Watching delivery attempts"));
      await other.app.stop();
      expect(await running.exited).toBe(1);
      expect(running.stderr()).toContain(`posthorn: the server at ${other.app.address} ended the watch (it does so when it shuts down)`);
    } finally {
      await other.close().catch(() => undefined);
    }
  });

  it("an unknown subscription exits 1 with NOT_FOUND; a bad --state exits 2", async () => {
    const unknown = await runProcess("node", ["server/bin/posthorn.js", "watch", "--subscription", "sub_000000000000000000000000", "--address", t.app.address!, "--api-key", TEST_ADMIN_KEY]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("NOT_FOUND (5)");
    const bad = await runProcess("node", ["server/bin/posthorn.js", "watch", "--state", "done", "--address", t.app.address!]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--state: expected one of pending, succeeded, failed, canceled, got "done"');
  });
});
