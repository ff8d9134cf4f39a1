/**
 * Interoperability with the verifiers customers already use: the `stripe` package's webhook
 * signature check (v1) and the `standardwebhooks` package (Standard Webhooks). Both are
 * devDependencies only.
 */
import { Webhook, WebhookVerificationError as StandardWebhooksError } from "standardwebhooks";
import Stripe from "stripe";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signStandardWebhooks, signV1, verifySignature, verifyStandardWebhook } from "../../sdk/verifier/src/index.js";
import { ENVELOPE, ID, SECRET_A, SECRET_B, SECRET_C, T, loadVectors } from "../vectors/independent-signer.js";

const stripe = new Stripe("sk_test_interop_not_a_real_key");
const vectors = loadVectors();
// Stripe refuses an empty body before looking at the signature; every other case applies.
const nonEmpty = vectors.cases.filter((c) => c.body_base64 !== "");
const bodies = [
  ["ascii envelope", ENVELOPE],
  ["capital-B escape", '{"log":"\\u001B[31mred"}'],
  ["non-ASCII", '{"tier":"Gold 😊","city":"Peñalolén"}'],
] as const;

/** Stripe's check; `receivedAt` is in milliseconds. Throws on failure. */
function stripeVerifies(payload: string | Buffer, header: string, secret: string, nowSeconds: number): boolean {
  const signature = stripe.webhooks.signature;
  if (signature === null) throw new Error("stripe.webhooks.signature is missing");
  signature.verifyHeader(payload, header, secret, 300, undefined, nowSeconds * 1000);
  return true;
}

describe("stripe package <-> our v1", () => {
  it("stripe verifies every v1 header from our signer (vectors, each secret alone)", () => {
    for (const c of nonEmpty) {
      const body = Buffer.from(c.body_base64, "base64");
      const header = signV1({ payload: body, secrets: c.secrets, timestamp: c.timestamp });
      for (const secret of c.secrets) expect(stripeVerifies(body, header, secret, c.timestamp), c.name).toBe(true);
    }
  });

  it("stripe rejects our header for a secret it was not signed with", () => {
    const header = signV1({ payload: ENVELOPE, secrets: [SECRET_A, SECRET_B], timestamp: T });
    expect(() => stripeVerifies(ENVELOPE, header, SECRET_C, T)).toThrow(/No signatures found matching/);
  });

  it("we verify stripe.webhooks.generateTestHeaderString output", () => {
    for (const [name, text] of bodies) {
      for (const secret of [SECRET_A, SECRET_B]) {
        const header = stripe.webhooks.generateTestHeaderString({ payload: text, secret, timestamp: T });
        for (const payload of [text, Buffer.from(text), new Uint8Array(Buffer.from(text))]) {
          expect(verifySignature({ payload, header, secrets: [secret], now: T }), name).toEqual({ ok: true, timestamp: T });
        }
        expect(verifySignature({ payload: text, header, secrets: [SECRET_C], now: T }).ok).toBe(false);
        // And the server's own header is exactly what Stripe's generator writes.
        expect(signV1({ payload: text, secrets: [secret], timestamp: T })).toBe(header);
      }
    }
  });

  it("stripe verifies generated headers with an extra v0 entry, and so do we", () => {
    const header = `${stripe.webhooks.generateTestHeaderString({ payload: ENVELOPE, secret: SECRET_A, timestamp: T })},v0=${"0".repeat(64)}`;
    expect(stripeVerifies(ENVELOPE, header, SECRET_A, T)).toBe(true);
    expect(verifySignature({ payload: ENVELOPE, header, secrets: [SECRET_A], now: T }).ok).toBe(true);
  });
});

describe("standardwebhooks package <-> our Standard Webhooks", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The package reads Date.now() and cannot be given a clock; pin the system time instead. */
  function at(seconds: number): void {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(seconds * 1000);
  }

  it("standardwebhooks verifies every header set from our signer (vectors, each secret alone)", () => {
    for (const c of vectors.cases) {
      const body = Buffer.from(c.body_base64, "base64");
      const headers = signStandardWebhooks({ id: c.id, payload: body, secrets: c.secrets, timestamp: c.timestamp });
      at(c.timestamp);
      for (const secret of c.secrets) {
        expect(() => new Webhook(secret).verify(body, headers, { jsonParse: false }), c.name).not.toThrow();
      }
    }
  });

  it("standardwebhooks rejects our headers for a secret they were not signed with", () => {
    const headers = signStandardWebhooks({ id: ID, payload: ENVELOPE, secrets: [SECRET_A, SECRET_B], timestamp: T });
    at(T);
    expect(() => new Webhook(SECRET_C).verify(ENVELOPE, headers)).toThrow(StandardWebhooksError);
  });

  it("we verify signatures made by standardwebhooks", () => {
    for (const [name, text] of bodies) {
      for (const secret of [SECRET_A, SECRET_B, "whsec_bWFkZS11cC1rZXktZm9yLXRlc3RzLTAwMDE="]) {
        const signature = new Webhook(secret).sign(ID, new Date(T * 1000), text);
        const headers = { "webhook-id": ID, "webhook-timestamp": String(T), "webhook-signature": signature };
        for (const payload of [text, Buffer.from(text), new Uint8Array(Buffer.from(text))]) {
          expect(verifyStandardWebhook({ payload, headers, secrets: [secret], now: T }), name).toEqual({ ok: true, timestamp: T, id: ID });
        }
        expect(verifyStandardWebhook({ payload: text, headers, secrets: [SECRET_C], now: T }).ok).toBe(false);
        expect(signStandardWebhooks({ id: ID, payload: text, secrets: [secret], timestamp: T })["webhook-signature"]).toBe(signature);
      }
    }
  });

  it("both reject the same secret that is not base64", () => {
    expect(() => new Webhook("whsec_xyz!")).toThrow();
    expect(() => verifyStandardWebhook({ payload: ENVELOPE, headers: {}, secrets: ["whsec_xyz!"], now: T })).toThrow(TypeError);
  });
});
