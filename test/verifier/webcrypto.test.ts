import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as webcrypto from "../../sdk/verifier/src/webcrypto.js";
import { ENVELOPE, ID, SECRET_A, SECRET_B, T, refStandardHeaders, refV1 } from "../vectors/independent-signer.js";

const SRC = new URL("../../sdk/verifier/src/", import.meta.url);

/** Files loaded at run time from `start`: `import type` lines are erased and not followed. */
function runtimeImportGraph(start: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(new URL(file, SRC), "utf8");
    seen.set(file, text);
    for (const match of text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+"([^"]+)";/gms)) {
      const spec = match[1] as string;
      if (spec.startsWith("./")) visit(spec.slice(2).replace(/\.js$/, ".ts"));
      else seen.set(spec, "");
    }
  };
  visit(start);
  return seen;
}

describe("webcrypto entry point", () => {
  it("loads neither node:crypto nor Buffer, so it runs where only crypto.subtle exists", () => {
    const graph = runtimeImportGraph("webcrypto.ts");
    expect([...graph.keys()].filter((f) => !f.endsWith(".ts"))).toEqual([]);
    for (const [file, text] of graph) {
      const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      expect(code, file).not.toMatch(/\bBuffer\s*[.(<]|:\s*Buffer\b|["']node:/);
    }
  });

  it("signs and verifies like the sync API (full equivalence runs over the shared vectors)", async () => {
    const body = new TextEncoder().encode(ENVELOPE);
    const header = await webcrypto.signV1Async({ payload: body, secrets: [SECRET_A, SECRET_B], timestamp: T });
    expect(header).toBe(`t=${T},v1=${refV1(SECRET_A, T, body)},v1=${refV1(SECRET_B, T, body)}`);
    expect(await webcrypto.verifySignatureAsync({ payload: body.buffer, header, secrets: [SECRET_B], now: T })).toEqual({ ok: true, timestamp: T });
    const event = await webcrypto.verifyWebhookAsync({ payload: ENVELOPE, header, secrets: SECRET_A, now: T });
    expect(event.id).toBe("evt_0123456789abcdef01234567");

    const headers = new Headers(refStandardHeaders([SECRET_A], ID, T, body));
    expect(await webcrypto.verifyStandardWebhookAsync({ payload: body, headers, secrets: [SECRET_A], now: T })).toEqual({ ok: true, timestamp: T, id: ID });
    expect((await webcrypto.verifyStandardWebhookEventAsync({ payload: body, headers, secrets: [SECRET_A], now: T })).type).toBe("lead.created");
  });

  it("rejects the same misuse", async () => {
    await expect(webcrypto.verifySignatureAsync({ payload: {} as unknown as string, header: "", secrets: [SECRET_A] })).rejects.toThrow(TypeError);
    await expect(webcrypto.verifyStandardWebhookAsync({ payload: "", headers: {}, secrets: ["whsec_xyz!"] })).rejects.toThrow(TypeError);
    await expect(
      webcrypto.verifyWebhookAsync({ payload: ENVELOPE, header: `t=${T},v1=${"0".repeat(64)}`, secrets: [SECRET_A], now: T }),
    ).rejects.toMatchObject({ reason: "signature_mismatch" });
  });
});
