import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createStandardWebhooksVerifier,
  signStandardWebhooks,
  verifyStandardWebhook,
  verifyStandardWebhookEvent,
  WebhookVerificationError,
  type VerifyFailureReason,
} from "../../sdk/verifier/src/index.js";
import { ENVELOPE, ID, SECRET_A, SECRET_B, SECRET_C, T, refStandard, refStandardHeaders, threeForms } from "../vectors/independent-signer.js";

const body = Buffer.from(ENVELOPE);
const fail = (reason: VerifyFailureReason) => ({ ok: false, reason });
const good = refStandardHeaders([SECRET_A], ID, T, body);

describe("Standard Webhooks secrets", () => {
  it("keys HMAC with the base64-decoded part after whsec_ (26 bytes here)", () => {
    const secret = "whsec_bWFkZS11cC1rZXktZm9yLXRlc3RzLTAwMDE=";
    const key = Buffer.from("made-up-key-for-tests-0001");
    expect(key.length).toBe(26);
    const expected = createHmac("sha256", key).update(`${ID}.${T}.${ENVELOPE}`).digest("base64");
    expect(signStandardWebhooks({ id: ID, payload: body, secrets: [secret], timestamp: T })["webhook-signature"]).toBe(`v1,${expected}`);
    const headers = { "webhook-id": ID, "webhook-timestamp": String(T), "webhook-signature": `v1,${expected}` };
    expect(verifyStandardWebhook({ payload: body, headers, secrets: [secret], now: T })).toEqual({ ok: true, timestamp: T, id: ID });
    // The prefix is optional, as in the standardwebhooks libraries.
    expect(verifyStandardWebhook({ payload: body, headers, secrets: [secret.slice(6)], now: T }).ok).toBe(true);
  });

  it("rejects a secret that is not base64 after whsec_ when the verifier is created", () => {
    for (const bad of ["whsec_xyz!", "whsec_", "whsec_abc", "whsec_YWJj=", "whsec_YW Jj"]) {
      expect(() => createStandardWebhooksVerifier({ secrets: [bad] }), bad).toThrow(TypeError);
      expect(() => signStandardWebhooks({ id: ID, payload: body, secrets: [bad], timestamp: T }), bad).toThrow(TypeError);
    }
    expect(() => createStandardWebhooksVerifier({ secrets: [SECRET_A, "whsec_xyz!"] })).toThrow(/base64/);
  });

  it("never puts the secret in the error message", () => {
    const secret = "whsec_topsecret!!";
    expect(() => createStandardWebhooksVerifier({ secrets: [secret] })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("topsecret") }),
    );
  });
});

describe("verifyStandardWebhook", () => {
  it("finds the header names in any letter case, and reads fetch Headers", () => {
    const mixed = {
      "Webhook-Id": good["webhook-id"],
      "WEBHOOK-TIMESTAMP": good["webhook-timestamp"],
      "wEbHoOk-SiGnAtUrE": good["webhook-signature"],
      "content-type": "application/json",
    };
    expect(verifyStandardWebhook({ payload: body, headers: mixed, secrets: [SECRET_A], now: T })).toEqual({ ok: true, timestamp: T, id: ID });
    expect(verifyStandardWebhook({ payload: body, headers: new Headers(mixed), secrets: [SECRET_A], now: T }).ok).toBe(true);
  });

  it("refuses two spellings of the same header", () => {
    const twice = { ...good, "Webhook-Id": "evt_other" };
    expect(verifyStandardWebhook({ payload: body, headers: twice, secrets: [SECRET_A], now: T })).toEqual(fail("malformed_header"));
  });

  it("gives the same answer for string, Buffer and Uint8Array", () => {
    const bytes = Buffer.from('{"tier":"Gold 😊","city":"Peñalolén"}', "utf8");
    const headers = refStandardHeaders([SECRET_A], ID, T, bytes);
    for (const [form, payload] of threeForms(bytes)) {
      expect(verifyStandardWebhook({ payload, headers, secrets: [SECRET_A], now: T }), form).toEqual({ ok: true, timestamp: T, id: ID });
    }
  });

  it("passes with any of several signatures and secrets, ignores other versions", () => {
    const both = refStandardHeaders([SECRET_A, SECRET_B], ID, T, body);
    expect(both["webhook-signature"].split(" ")).toHaveLength(2);
    for (const secret of [SECRET_A, SECRET_B]) {
      expect(verifyStandardWebhook({ payload: body, headers: both, secrets: [secret], now: T }).ok).toBe(true);
    }
    expect(verifyStandardWebhook({ payload: body, headers: both, secrets: [SECRET_C], now: T })).toEqual(fail("signature_mismatch"));
    const withV1a = { ...both, "webhook-signature": `v1a,AAAA   ${both["webhook-signature"]} v2,BBBB` };
    expect(verifyStandardWebhook({ payload: body, headers: withV1a, secrets: [SECRET_B], now: T }).ok).toBe(true);
  });

  it("refuses a parsed object", () => {
    expect(() =>
      verifyStandardWebhook({ payload: JSON.parse(ENVELOPE) as unknown as string, headers: good, secrets: [SECRET_A], now: T }),
    ).toThrow(TypeError);
  });

  describe("one test per failure reason", () => {
    const check = (headers: Record<string, string>, now = T) => verifyStandardWebhook({ payload: body, headers, secrets: [SECRET_A], now });
    const { "webhook-id": _id, ...noId } = good;

    it("malformed_header", () => {
      expect(check(noId)).toEqual(fail("malformed_header"));
      expect(check({ ...good, "webhook-signature": "" })).toEqual(fail("malformed_header"));
      expect(check({ ...good, "webhook-signature": "v1" })).toEqual(fail("malformed_header"));
      expect(check({ ...good, "webhook-signature": `v1,a,b` })).toEqual(fail("malformed_header"));
      expect(check({ ...good, "webhook-id": " " })).toEqual(fail("malformed_header"));
    });

    it("bad_timestamp", () => {
      for (const t of ["abc", "-1", "1700000000.0", "2023-11-14T22:13:20Z", ""]) {
        expect(check({ ...good, "webhook-timestamp": t }), t).toEqual(fail("bad_timestamp"));
      }
    });

    it("missing_v1", () => {
      expect(check({ ...good, "webhook-signature": good["webhook-signature"].replace("v1,", "v1a,") })).toEqual(fail("missing_v1"));
    });

    it("stale_signature, old and future", () => {
      expect(check(good, T + 301)).toEqual(fail("stale_signature"));
      expect(check(good, T - 301)).toEqual(fail("stale_signature"));
      expect(check(good, T + 300).ok).toBe(true);
    });

    it("signature_mismatch", () => {
      expect(check(refStandardHeaders([SECRET_B], ID, T, body))).toEqual(fail("signature_mismatch"));
      expect(check({ ...good, "webhook-id": "evt_ffffffffffffffffffffffff" })).toEqual(fail("signature_mismatch"));
      expect(check({ ...good, "webhook-timestamp": String(T + 1) })).toEqual(fail("signature_mismatch"));
      const v1Style = createHmac("sha256", SECRET_A).update(`${ID}.${T}.${ENVELOPE}`).digest("base64");
      expect(check({ ...good, "webhook-signature": `v1,${v1Style}` })).toEqual(fail("signature_mismatch"));
    });
  });
});

describe("createStandardWebhooksVerifier and verifyStandardWebhookEvent", () => {
  it("verifies many messages with keys decoded once and returns the typed envelope", () => {
    const verifier = createStandardWebhooksVerifier({ secrets: [SECRET_B, SECRET_A], toleranceSeconds: 60 });
    expect(verifier.verify({ payload: body, headers: good, now: T + 60 }).ok).toBe(true);
    expect(verifier.verify({ payload: body, headers: good, now: T + 61 })).toEqual(fail("stale_signature"));
    expect(verifier.verifyEvent({ payload: body, headers: good, now: T }).customer_id).toBe("cus_42");
    expect(verifyStandardWebhookEvent({ payload: body, headers: good, secrets: SECRET_A, now: T }).id).toBe(ID);
    expect(() => verifyStandardWebhookEvent({ payload: body, headers: good, secrets: SECRET_C, now: T })).toThrow(WebhookVerificationError);
  });

  it("matches the independent signer for the signing side", () => {
    expect(signStandardWebhooks({ id: ID, payload: ENVELOPE, secrets: [SECRET_A], timestamp: T })["webhook-signature"]).toBe(
      `v1,${refStandard(SECRET_A, ID, T, body)}`,
    );
  });
});
