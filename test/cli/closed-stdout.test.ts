/**
 * A reader that closes the CLI's stdout early (`posthorn … | head -1`): the CLI stops writing
 * and exits 0 without a stack trace (the EPIPE listener in server/src/cli/main.ts); `listen`
 * first deletes the subscription it made, as on Ctrl-C.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../e2e/child-process.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { signV1 } from "@posthorn/verifier";

describe("a closed stdout", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("ends the command quietly with exit 0", async () => {
    // `emit --json` prints the whole event: ~250 KB of data, several times a pipe's 64 KiB
    // buffer, so the CLI is still writing when the reader goes away after its first chunk.
    const file = join(mkdtempSync(join(tmpdir(), "posthorn-epipe-")), "event.json");
    const data = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, "x".repeat(100)]));
    writeFileSync(file, JSON.stringify({ type: "lead.created", customer_id: "cus_epipe", data }));
    const child = spawn("node", ["server/bin/posthorn.js", "emit", "--file", file, "--json", "--address", t.app.address!, "--api-key", TEST_ADMIN_KEY], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let chunks = 0;
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdout.once("data", () => {
      chunks++;
      child.stdout.destroy();
    });
    const code = await new Promise<number | string>((resolve) => child.on("exit", (c, signal) => resolve(c ?? signal ?? "?")));
    expect(chunks).toBe(1);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("stops listen the way Ctrl-C does: the subscription it made is deleted, exit 0", async () => {
    const child = spawn("node", ["server/bin/posthorn.js", "listen", "--customer", "cus_epipe_listen", "--address", t.app.address!, "--api-key", TEST_ADMIN_KEY], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const banner = await new Promise<string>((resolve) => {
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        if (stdout.includes("Listening on ")) resolve(stdout);
      });
    });
    child.stdout.destroy(); // the reader goes away; listen's next line meets EPIPE
    const url = /Listening on (\S+),/.exec(banner)![1]!;
    const secret = /Secret: (\S+)/.exec(banner)![1]!;
    const listed = await t.client.listSubscriptions({ customerId: "cus_epipe_listen" });
    expect(listed.subscriptions).toHaveLength(1);
    const payload = JSON.stringify({ id: "evt_1", type: "lead.created", data: {} });
    const signature = signV1({ payload, secrets: [secret], timestamp: Math.floor(Date.now() / 1000) });
    await fetch(url, { method: "POST", body: payload, headers: { "dealix-signature": signature, "dealix-delivery-attempt": "1" } }).catch(() => undefined);
    const code = await new Promise<number | string>((resolve) => child.on("exit", (c, signal) => resolve(c ?? signal ?? "?")));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect((await t.client.listSubscriptions({ customerId: "cus_epipe_listen" })).subscriptions).toHaveLength(0);
  });
});
