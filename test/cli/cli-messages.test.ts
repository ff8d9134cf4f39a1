/**
 * What the CLI prints around the API: `listen`'s warning for a secret of the wrong shape and its
 * JSON lines (the attempt as a number), and the UNAVAILABLE message without grpc-js's empty
 * "Resolution note:".
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signV1 } from "@posthorn/verifier";
import { secretShapeProblem } from "../../server/src/cli/secret-shape.js";
import { withoutEmptyResolutionNote } from "../../server/src/cli/error-text.js";
import { runProcess, startProcess } from "../e2e/child-process.js";
import { eventually } from "../helpers/eventually.js";

const posthorn = (...args: string[]) => startProcess("node", ["server/bin/posthorn.js", ...args]);

describe("secretShapeProblem", () => {
  it("accepts what Posthorn issues (whsec_ + base64 of 32 bytes) and names what is wrong otherwise", () => {
    expect(secretShapeProblem(`whsec_${randomBytes(32).toString("base64")}`)).toBeUndefined();
    expect(secretShapeProblem("notasecret")).toBe("it does not start with whsec_");
    expect(secretShapeProblem("whsec_not*base64")).toBe("the part after whsec_ is not padded standard base64");
    expect(secretShapeProblem(`whsec_${randomBytes(8).toString("base64")}`)).toBe("the part after whsec_ decodes to 8 bytes, not 32");
  });
});

describe("withoutEmptyResolutionNote", () => {
  it("drops an empty trailing note and keeps one with text", () => {
    expect(withoutEmptyResolutionNote("No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ")).toBe(
      "No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1.",
    );
    expect(withoutEmptyResolutionNote("Name resolution failed. Resolution note: DNS down")).toBe("Name resolution failed. Resolution note: DNS down");
  });
});

describe("posthorn listen --secret", () => {
  it("warns about a secret that is not whsec_ + base64 of 32 bytes, and not about a real one", async () => {
    const fake = posthorn("listen", "--secret", "notasecret");
    await fake.waitForLine((line) => line.startsWith("Listening on "));
    await fake.stop();
    expect(fake.stderr()).toContain("posthorn: warning: --secret does not look like a Posthorn signing secret (whsec_ + base64 of 32 bytes): it does not start with whsec_.");
    expect(fake.stderr()).not.toContain("notasecret");
    const real = posthorn("listen", "--secret", `whsec_${randomBytes(32).toString("base64")}`);
    await real.waitForLine((line) => line.startsWith("Listening on "));
    await real.stop();
    expect(real.stderr()).toBe("");
  });

  it("--json prints the attempt number as a number", async () => {
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    const running = posthorn("listen", "--secret", secret, "--json");
    try {
      // With --json the "Listening on" line goes to stderr: stdout carries only JSON lines.
      const banner = await eventually(async () => running.stderr(), (text) => text.includes("Listening on "));
      const url = /^Listening on (\S+),/m.exec(banner)![1]!;
      const payload = JSON.stringify({ id: "evt_1", type: "lead.created", data: { a: 1 } });
      const signature = signV1({ payload, secrets: [secret], timestamp: Math.floor(Date.now() / 1000) });
      const response = await fetch(url, { method: "POST", body: payload, headers: { "dealix-signature": signature, "dealix-delivery-attempt": "2" } });
      expect(response.status).toBe(200);
      const line = JSON.parse(await running.waitForLine((l) => l.startsWith("{"))) as Record<string, unknown>;
      expect(line).toMatchObject({ type: "lead.created", event_id: "evt_1", attempt: 2, verified: true, status: 200 });
    } finally {
      await running.stop();
    }
  });
});

describe("an unreachable server", () => {
  it("prints grpc-js's message without the empty resolution note, then what to check", async () => {
    const { code, stderr } = await runProcess("node", ["server/bin/posthorn.js", "subscriptions", "get", "sub_000000000000000000000000", "--address", "127.0.0.1:1"]);
    expect(code).toBe(1);
    expect(stderr).toContain("posthorn: UNAVAILABLE (14): No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1.\n");
    expect(stderr).not.toContain("Resolution note");
    expect(stderr).toContain("Is the server running at 127.0.0.1:1?");
  });
});
