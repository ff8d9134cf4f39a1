import { describe, expect, it } from "vitest";
import { signStandardWebhooks, signV1 } from "../../sdk/verifier/src/index.js";
import { ENVELOPE, ID, SECRET_A, SECRET_B, SECRET_C, T, refStandard, refV1, threeForms } from "../vectors/independent-signer.js";

describe("signV1", () => {
  it("writes t= then one v1 per secret, in the order given, keyed with the whole secret string", () => {
    const secrets = [SECRET_C, SECRET_A, SECRET_B];
    expect(signV1({ payload: ENVELOPE, secrets, timestamp: T })).toBe(
      `t=${T},v1=${refV1(SECRET_C, T, ENVELOPE)},v1=${refV1(SECRET_A, T, ENVELOPE)},v1=${refV1(SECRET_B, T, ENVELOPE)}`,
    );
  });

  it("signs the UTF-8 bytes: string, Buffer and Uint8Array give the same header", () => {
    const bytes = Buffer.from('{"tier":"Gold 😊","city":"Peñalolén"}', "utf8");
    const headers = threeForms(bytes).map(([, payload]) => signV1({ payload, secrets: [SECRET_A], timestamp: T }));
    expect(new Set(headers).size).toBe(1);
    expect(headers[0]).toBe(`t=${T},v1=${refV1(SECRET_A, T, bytes)}`);
  });

  it("signs at the given time, including 0", () => {
    expect(signV1({ payload: "", secrets: [SECRET_A], timestamp: 0 })).toBe(`t=0,v1=${refV1(SECRET_A, 0, "")}`);
  });

  it("rejects misuse, including a timestamp in milliseconds", () => {
    expect(() => signV1({ payload: ENVELOPE, secrets: [], timestamp: T })).toThrow(TypeError);
    expect(() => signV1({ payload: { a: 1 } as unknown as string, secrets: [SECRET_A], timestamp: T })).toThrow(TypeError);
    for (const t of [-1, 1.5, Number.NaN, Date.now(), Date.now() * 1e6]) {
      expect(() => signV1({ payload: ENVELOPE, secrets: [SECRET_A], timestamp: t }), String(t)).toThrow(RangeError);
    }
  });
});

describe("signStandardWebhooks", () => {
  it("returns the three headers with one space-separated v1 entry per secret", () => {
    expect(signStandardWebhooks({ id: ID, payload: ENVELOPE, secrets: [SECRET_A, SECRET_B], timestamp: T })).toEqual({
      "webhook-id": ID,
      "webhook-timestamp": String(T),
      "webhook-signature": `v1,${refStandard(SECRET_A, ID, T, ENVELOPE)} v1,${refStandard(SECRET_B, ID, T, ENVELOPE)}`,
    });
  });

  it("rejects an empty id", () => {
    expect(() => signStandardWebhooks({ id: "", payload: ENVELOPE, secrets: [SECRET_A], timestamp: T })).toThrow(TypeError);
  });
});
