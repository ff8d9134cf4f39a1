import { describe, expect, it } from "vitest";
import {
  WebhookVerificationError,
  createSignatureVerifier,
  signV1,
  verifySignature,
  verifyWebhook,
  type VerifyFailureReason,
} from "../../sdk/verifier/src/index.js";
import { ENVELOPE, SECRET_A, SECRET_B, SECRET_C, T, refV1, threeForms } from "../vectors/independent-signer.js";

const header = (t: number, ...sigs: string[]) => [`t=${t}`, ...sigs.map((s) => `v1=${s}`)].join(",");
const signedBy = (secret: string, body: string | Uint8Array, t = T) => header(t, refV1(secret, t, body));
const fail = (reason: VerifyFailureReason) => ({ ok: false, reason });

describe("verifySignature: raw bytes", () => {
  it("verifies the capital-B escape as sent; the re-serialized \\u001b form does not", () => {
    const sent = '{"log":"\\u001B[31mred"}';
    const reserialized = JSON.stringify(JSON.parse(sent));
    expect(reserialized).toBe('{"log":"\\u001b[31mred"}');
    const h = signedBy(SECRET_A, Buffer.from(sent, "utf8"));
    expect(verifySignature({ payload: Buffer.from(sent), header: h, secrets: [SECRET_A], now: T })).toEqual({ ok: true, timestamp: T });
    expect(verifySignature({ payload: reserialized, header: h, secrets: [SECRET_A], now: T })).toEqual(fail("signature_mismatch"));
  });

  it("gives the same answer for a non-ASCII body as string, Buffer and Uint8Array", () => {
    const bytes = Buffer.from('{"tier":"Gold 😊","city":"Peñalolén"}', "utf8");
    const h = signedBy(SECRET_A, bytes);
    for (const [form, payload] of threeForms(bytes)) {
      expect(verifySignature({ payload, header: h, secrets: [SECRET_A], now: T }), form).toEqual({ ok: true, timestamp: T });
      expect(verifySignature({ payload, header: h, secrets: [SECRET_B], now: T }), form).toEqual(fail("signature_mismatch"));
    }
    // A string body means its UTF-8 bytes, not Latin-1 or UTF-16.
    expect(refV1(SECRET_A, T, bytes)).toBe(refV1(SECRET_A, T, bytes.toString("utf8")));
  });

  it("accepts an ArrayBuffer (fetch's request.arrayBuffer()) and a Uint8Array view into a larger buffer", () => {
    const bytes = Buffer.from(ENVELOPE);
    const h = signedBy(SECRET_A, bytes);
    const arrayBuffer = new Uint8Array(bytes).buffer;
    expect(verifySignature({ payload: arrayBuffer, header: h, secrets: SECRET_A, now: T }).ok).toBe(true);
    const padded = Buffer.concat([Buffer.from("xx"), bytes, Buffer.from("yy")]);
    const view = new Uint8Array(padded.buffer, padded.byteOffset + 2, bytes.length);
    expect(verifySignature({ payload: view, header: h, secrets: SECRET_A, now: T }).ok).toBe(true);
  });

  it("refuses a parsed object with a TypeError that says why", () => {
    const h = signedBy(SECRET_A, ENVELOPE);
    const call = () =>
      verifySignature({ payload: JSON.parse(ENVELOPE) as unknown as string, header: h, secrets: [SECRET_A], now: T });
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/parsed object.*raw request body/s);
    expect(() => verifySignature({ payload: null as unknown as string, header: h, secrets: [SECRET_A] })).toThrow(TypeError);
  });
});

describe("verifySignature: rotation and schemes", () => {
  const body = Buffer.from(ENVELOPE);
  const rotated = signV1({ payload: body, secrets: [SECRET_A, SECRET_B], timestamp: T });

  it("carries two v1 values for two secrets; A passes, B passes, C fails", () => {
    expect(rotated).toBe(header(T, refV1(SECRET_A, T, body), refV1(SECRET_B, T, body)));
    expect(verifySignature({ payload: body, header: rotated, secrets: [SECRET_A], now: T }).ok).toBe(true);
    expect(verifySignature({ payload: body, header: rotated, secrets: [SECRET_B], now: T }).ok).toBe(true);
    expect(verifySignature({ payload: body, header: rotated, secrets: [SECRET_C], now: T })).toEqual(fail("signature_mismatch"));
    expect(verifySignature({ payload: body, header: rotated, secrets: [SECRET_C, SECRET_B], now: T }).ok).toBe(true);
  });

  it("ignores a stray v0 anywhere in the header", () => {
    const v0 = `v0=${"ab".repeat(32)}`;
    const [t, a, b] = rotated.split(",");
    for (const h of [`${v0},${rotated}`, `${t},${v0},${a},${b}`, `${t},${a},${v0},${b}`, `${rotated},${v0}`]) {
      for (const secret of [SECRET_A, SECRET_B]) {
        expect(verifySignature({ payload: body, header: h, secrets: [secret], now: T }), h).toEqual({ ok: true, timestamp: T });
      }
      expect(verifySignature({ payload: body, header: h, secrets: [SECRET_C], now: T })).toEqual(fail("signature_mismatch"));
    }
  });

  it("is lenient about spaces and tabs around separators", () => {
    const sig = refV1(SECRET_A, T, body);
    for (const h of [` t=${T} , v1=${sig} `, `t = ${T},\tv1 =\t${sig}`, `t=${T},  v0=00 ,v1=${sig}`]) {
      expect(verifySignature({ payload: body, header: h, secrets: [SECRET_A], now: T }), h).toEqual({ ok: true, timestamp: T });
    }
  });

  it("accepts Node's one-element array for a header and refuses a repeated header", () => {
    const h = signedBy(SECRET_A, body);
    expect(verifySignature({ payload: body, header: [h], secrets: [SECRET_A], now: T }).ok).toBe(true);
    expect(verifySignature({ payload: body, header: [h, h], secrets: [SECRET_A], now: T })).toEqual(fail("malformed_header"));
  });
});

describe("verifySignature: one test per failure reason", () => {
  const body = Buffer.from(ENVELOPE);
  const sig = refV1(SECRET_A, T, body);
  const check = (h: string | undefined, now = T, toleranceSeconds?: number) =>
    verifySignature({ payload: body, header: h, secrets: [SECRET_A], now, toleranceSeconds });

  it("malformed_header", () => {
    for (const h of [undefined, "", "garbage", `t=${T}=junk,v1=${sig}`, `t=${T},v1`, `t=${T},,v1=${sig}`, `v1=${sig}`, `t=${T},t=${T},v1=${sig}`, `t=${T},v1=${sig.slice(0, 5)} ${sig.slice(5)}`, `t=${T},v1=é${sig}`]) {
      expect(check(h), String(h)).toEqual(fail("malformed_header"));
    }
  });

  it("bad_timestamp", () => {
    for (const t of ["abc", "-1700000000", "1700000000.5", "1e9", "0x10", "99999999999999999999"]) {
      expect(check(`t=${t},v1=${sig}`), t).toEqual(fail("bad_timestamp"));
    }
  });

  it("missing_v1", () => {
    for (const h of [`t=${T}`, `t=${T},v0=${sig}`, `t=${T},V1=${sig}`, `t=${T},v2=${sig}`]) {
      expect(check(h), h).toEqual(fail("missing_v1"));
    }
  });

  it("stale_signature, both too old and too far in the future; the boundary passes", () => {
    const h = header(T, sig);
    expect(check(h, T + 301)).toEqual(fail("stale_signature"));
    expect(check(h, T - 301)).toEqual(fail("stale_signature"));
    expect(check(h, T + 300).ok).toBe(true);
    expect(check(h, T - 300).ok).toBe(true);
    expect(check(h, T + 61, 60)).toEqual(fail("stale_signature"));
    expect(check(h, T + 1_000_000, Number.POSITIVE_INFINITY).ok).toBe(true);
  });

  it("signature_mismatch", () => {
    for (const h of [header(T, refV1(SECRET_B, T, body)), header(T + 1, sig), header(T, sig.toUpperCase()), header(T, sig.slice(0, 63)), header(T, `${sig}00`)]) {
      expect(check(h, T), h).toEqual(fail("signature_mismatch"));
    }
  });

  it("reports the first failing check: stale before mismatch, bad timestamp before missing v1", () => {
    expect(check(header(T, refV1(SECRET_B, T, body)), T + 1000)).toEqual(fail("stale_signature"));
    expect(check("t=abc,v0=00")).toEqual(fail("bad_timestamp"));
  });
});

describe("verifySignature: clock and options", () => {
  const body = Buffer.from(ENVELOPE);

  it("treats an explicit now = 0 as time zero, not as 'use the system clock'", () => {
    expect(verifySignature({ payload: body, header: signedBy(SECRET_A, body, 0), secrets: [SECRET_A], now: 0 })).toEqual({
      ok: true,
      timestamp: 0,
    });
    expect(verifySignature({ payload: body, header: signedBy(SECRET_A, body, T), secrets: [SECRET_A], now: 0 })).toEqual(
      fail("stale_signature"),
    );
  });

  it("uses the system clock when now is omitted", () => {
    const t = Math.floor(Date.now() / 1000);
    expect(verifySignature({ payload: body, header: signedBy(SECRET_A, body, t), secrets: [SECRET_A] }).ok).toBe(true);
    expect(verifySignature({ payload: body, header: signedBy(SECRET_A, body, T), secrets: [SECRET_A] })).toEqual(fail("stale_signature"));
  });

  it("rejects misuse loudly", () => {
    const h = signedBy(SECRET_A, body);
    expect(() => verifySignature({ payload: body, header: h, secrets: [] })).toThrow(TypeError);
    expect(() => verifySignature({ payload: body, header: h, secrets: [""] })).toThrow(TypeError);
    expect(() => verifySignature({ payload: body, header: h, secrets: [SECRET_A], toleranceSeconds: -1 })).toThrow(RangeError);
    expect(() => verifySignature({ payload: body, header: h, secrets: [SECRET_A], toleranceSeconds: Number.NaN })).toThrow(RangeError);
    expect(() => verifySignature({ payload: body, header: h, secrets: [SECRET_A], now: Number.NaN })).toThrow(TypeError);
  });
});

describe("verifyWebhook (throwing form)", () => {
  it("returns the typed envelope after verifying", () => {
    const body = Buffer.from(ENVELOPE);
    const event = verifyWebhook({ payload: body, header: signedBy(SECRET_A, body), secrets: [SECRET_A], now: T });
    expect(event).toEqual(JSON.parse(ENVELOPE));
    expect(event.type).toBe("lead.created");
    expect(event.timestamp).toBe(T);
  });

  it("throws a WebhookVerificationError carrying the reason", () => {
    const body = Buffer.from(ENVELOPE);
    let caught: unknown;
    try {
      verifyWebhook({ payload: body, header: signedBy(SECRET_B, body), secrets: [SECRET_A], now: T });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WebhookVerificationError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as WebhookVerificationError).reason).toBe("signature_mismatch");
    expect((caught as WebhookVerificationError).name).toBe("WebhookVerificationError");
  });

  it("throws invalid_payload for a correctly signed body that is not an envelope", () => {
    for (const text of ["not json", "[1,2]", '{"id":"evt_1"}', ENVELOPE.replace('"timestamp":1700000000', '"timestamp":"soon"')]) {
      const call = () => verifyWebhook({ payload: text, header: signedBy(SECRET_A, text), secrets: [SECRET_A], now: T });
      expect(call, text).toThrow(WebhookVerificationError);
      expect(call, text).toThrow(expect.objectContaining({ reason: "invalid_payload" }));
    }
    const latin1 = Buffer.from([0x7b, 0xe9, 0x7d]);
    expect(() => verifyWebhook({ payload: latin1, header: signedBy(SECRET_A, latin1), secrets: [SECRET_A], now: T })).toThrow(
      expect.objectContaining({ reason: "invalid_payload" }),
    );
  });

  it("checks the signature before parsing", () => {
    expect(() => verifyWebhook({ payload: "not json", header: signedBy(SECRET_B, "not json"), secrets: [SECRET_A], now: T })).toThrow(
      expect.objectContaining({ reason: "signature_mismatch" }),
    );
  });
});

describe("createSignatureVerifier", () => {
  const body = Buffer.from(ENVELOPE);

  it("verifies with secrets prepared once, with the same results as verifySignature", () => {
    const verifier = createSignatureVerifier({ secrets: [SECRET_B, SECRET_A], toleranceSeconds: 60 });
    const h = signedBy(SECRET_A, body);
    expect(verifier.verify({ payload: body, header: h, now: T })).toEqual({ ok: true, timestamp: T });
    expect(verifier.verify({ payload: body.toString(), header: h, now: T + 60 }).ok).toBe(true);
    expect(verifier.verify({ payload: body, header: h, now: T + 61 })).toEqual(fail("stale_signature"));
    expect(verifier.verify({ payload: body, header: signedBy(SECRET_C, body), now: T })).toEqual(fail("signature_mismatch"));
    expect(verifier.verify({ payload: body, header: "t=1", now: T })).toEqual(fail("missing_v1"));
    expect(verifier.verifyEvent({ payload: body, header: h, now: T }).id).toBe("evt_0123456789abcdef01234567");
    expect(() => verifier.verifyEvent({ payload: body, header: signedBy(SECRET_C, body), now: T })).toThrow(WebhookVerificationError);
  });

  it("checks its settings when created", () => {
    expect(() => createSignatureVerifier({ secrets: [] })).toThrow(TypeError);
    expect(() => createSignatureVerifier({ secrets: [SECRET_A], toleranceSeconds: -5 })).toThrow(RangeError);
  });
});

describe("verifySignature with many secrets", () => {
  it("checks every secret, more than the key cache holds, and still finds the last one", () => {
    const body = Buffer.from(ENVELOPE);
    const many = Array.from({ length: 100 }, (_, i) => `whsec_many-secrets-${i}`);
    const last = many[many.length - 1] as string;
    expect(verifySignature({ payload: body, header: signedBy(last, body), secrets: many, now: T }).ok).toBe(true);
    expect(verifySignature({ payload: body, header: signedBy(SECRET_C, body), secrets: many, now: T })).toEqual(fail("signature_mismatch"));
    // Seen once, then again (the second time through a memoized key object): same answers.
    for (let i = 0; i < 3; i++) {
      expect(verifySignature({ payload: body, header: signedBy(SECRET_A, body), secrets: [SECRET_A], now: T }).ok).toBe(true);
      expect(verifySignature({ payload: body, header: signedBy(SECRET_A, body), secrets: [SECRET_B], now: T }).ok).toBe(false);
    }
  });
});
