import { describe, expect, it } from "vitest";
import {
  signStandardWebhooks,
  signStandardWebhooksAsync,
  signV1,
  signV1Async,
  verifySignature,
  verifySignatureAsync,
  verifyStandardWebhook,
  verifyStandardWebhookAsync,
} from "../../sdk/verifier/src/index.js";
import { loadVectors } from "../vectors/independent-signer.js";

const vectors = loadVectors();

describe("shared vectors: cases", () => {
  it("covers non-ASCII, the capital-B escape, several secrets and both schemes", () => {
    const bodies = vectors.cases.map((c) => Buffer.from(c.body_base64, "base64"));
    expect(bodies.some((b) => b.some((byte) => byte >= 0x80))).toBe(true);
    expect(bodies.some((b) => b.toString("utf8").includes("\\u001B"))).toBe(true);
    expect(vectors.cases.some((c) => c.secrets.length >= 2)).toBe(true);
  });

  for (const c of vectors.cases) {
    describe(c.name, () => {
      const body = Buffer.from(c.body_base64, "base64");
      const sign = { payload: body, secrets: c.secrets, timestamp: c.timestamp };

      it("signs exactly the expected headers (sync and WebCrypto)", async () => {
        expect(signV1(sign)).toBe(c.v1_header);
        expect(await signV1Async(sign)).toBe(c.v1_header);
        expect(signStandardWebhooks({ ...sign, id: c.id })).toEqual(c.standard_webhooks);
        expect(await signStandardWebhooksAsync({ ...sign, id: c.id })).toEqual(c.standard_webhooks);
      });

      it("verifies with all secrets and with each one alone", async () => {
        for (const secrets of [c.secrets, ...c.secrets.map((s) => [s])]) {
          const v1 = { payload: body, header: c.v1_header, secrets, now: c.timestamp };
          expect(verifySignature(v1)).toEqual({ ok: true, timestamp: c.timestamp });
          expect(await verifySignatureAsync(v1)).toEqual({ ok: true, timestamp: c.timestamp });
          const sw = { payload: body, headers: c.standard_webhooks, secrets, now: c.timestamp };
          const expected = { ok: true, timestamp: c.timestamp, id: c.id };
          expect(verifyStandardWebhook(sw)).toEqual(expected);
          expect(await verifyStandardWebhookAsync(sw)).toEqual(expected);
        }
      });
    });
  }
});

describe("shared vectors: failures", () => {
  it("has at least one failure per reason per scheme", () => {
    const reasons = ["malformed_header", "bad_timestamp", "missing_v1", "stale_signature", "signature_mismatch"];
    for (const scheme of ["v1", "standard_webhooks"]) {
      for (const reason of reasons) {
        expect(vectors.failures.some((f) => f.scheme === scheme && f.expected_reason === reason), `${scheme} ${reason}`).toBe(true);
      }
    }
  });

  for (const f of vectors.failures) {
    it(`${f.name} -> ${f.expected_reason}`, async () => {
      const base = {
        payload: Buffer.from(f.body_base64, "base64"),
        secrets: f.secrets,
        now: f.now,
        toleranceSeconds: f.tolerance_seconds,
      };
      const expected = { ok: false, reason: f.expected_reason };
      if (f.scheme === "v1") {
        expect(f.headers).toBeUndefined();
        expect(verifySignature({ ...base, header: f.header })).toEqual(expected);
        expect(await verifySignatureAsync({ ...base, header: f.header })).toEqual(expected);
      } else {
        expect(f.header).toBeUndefined();
        const headers = f.headers ?? {};
        expect(verifyStandardWebhook({ ...base, headers })).toEqual(expected);
        expect(await verifyStandardWebhookAsync({ ...base, headers })).toEqual(expected);
      }
    });
  }
});
