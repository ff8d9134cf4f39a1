/**
 * `posthorn listen`: with `--json` stdout has only the JSON lines (RFC 3339 `time`, `reason`
 * and `data` always present) and the banner goes to stderr; the text line's time is UTC; and
 * Ctrl-C after the server stopped says why the subscription could not be deleted in the CLI's
 * words (the gRPC code, no empty grpc-js "Resolution note").
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signV1 } from "@posthorn/verifier";
import { startProcess, type RunningProcess } from "../e2e/child-process.js";
import { eventually } from "../helpers/eventually.js";
import { startTestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";

const listen = (args: string[], env?: NodeJS.ProcessEnv) => startProcess("node", ["server/bin/posthorn.js", "listen", ...args], { env });

/** The receiver's URL from its "Listening on" line, on stdout or (with --json) stderr. */
async function urlOf(running: RunningProcess, on: "stdout" | "stderr"): Promise<string> {
  const text =
    on === "stdout"
      ? await running.waitForLine((line) => line.startsWith("Listening on "))
      : await eventually(async () => running.stderr(), (t) => t.includes("Listening on "));
  return /^Listening on (\S+),/m.exec(text)![1]!;
}

/** POSTs a v1-signed envelope (or `body` as it is, unsigned) to the receiver; its status. */
async function send(url: string, secret: string, body?: string): Promise<number> {
  const payload = body ?? JSON.stringify({ id: "evt_1", type: "lead.created", data: { a: 1 } });
  const signature = body === undefined ? signV1({ payload, secrets: [secret], timestamp: Math.floor(Date.now() / 1000) }) : "t=1,v1=AAAA";
  return (await fetch(url, { method: "POST", body: payload, headers: { "dealix-signature": signature, "dealix-delivery-attempt": "1" } })).status;
}

describe("posthorn listen", () => {
  it("--json: only JSON lines on stdout, each with the same keys; the banner on stderr", async () => {
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    const running = listen(["--secret", secret, "--json"]);
    try {
      const url = await urlOf(running, "stderr");
      expect(await send(url, secret)).toBe(200);
      expect(await send(url, secret, "not json")).toBe(400);
      await running.waitForLine((line) => line.includes('"status":400'));
      const [ok, bad] = running.stdoutLines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(running.stdoutLines).toHaveLength(2);
      expect(ok).toMatchObject({ type: "lead.created", event_id: "evt_1", attempt: 1, verified: true, reason: null, status: 200, data: { a: 1 } });
      expect(ok!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(bad).toMatchObject({ verified: false, status: 400, data: null });
      expect(typeof bad!.reason).toBe("string");
      expect(Object.keys(bad!)).toEqual(Object.keys(ok!));
    } finally {
      await running.stop();
    }
  });

  it("prints the time of day in UTC, as watch and the tables do", async () => {
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    // India is UTC+05:30 all year: a local time would differ from UTC in hours and minutes.
    const running = listen(["--secret", secret], { TZ: "Asia/Kolkata" });
    try {
      const url = await urlOf(running, "stdout");
      const before = new Date().toISOString().slice(11, 19);
      expect(await send(url, secret)).toBe(200);
      const line = await running.waitForLine((l) => l.includes("lead.created"));
      const after = new Date().toISOString().slice(11, 19);
      const time = line.slice(0, 8);
      expect(time >= before && time <= after, `${time} not between ${before} and ${after} (UTC)`).toBe(true);
    } finally {
      await running.stop();
    }
  });

  it("Ctrl-C after the server stopped names the gRPC error, without grpc-js's empty note", async () => {
    const t = await startTestApp("pglite");
    try {
      const running = listen(["--customer", "cus_listen", "--address", t.app.address!, "--api-key", TEST_ADMIN_KEY]);
      const subscribed = await running.waitForLine((line) => line.startsWith("Subscribed "));
      const id = /^Subscribed (sub_\w+)/.exec(subscribed)![1]!;
      await running.waitForLine((line) => line.startsWith("Listening on "));
      await t.app.stop();
      running.child.kill("SIGINT");
      expect(await running.exited).toBe(0);
      expect(running.stderr()).toContain(`posthorn: could not delete ${id}: UNAVAILABLE (14): `);
      expect(running.stderr()).not.toContain("Resolution note");
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
