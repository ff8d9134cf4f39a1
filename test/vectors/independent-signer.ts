/**
 * A signer for tests that does not share code with `sdk/verifier`: plain node:crypto and the
 * rules restated from the contract (v1) and the Standard Webhooks spec.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

/** hex(HMAC-SHA256(key = secret as UTF-8, msg = "<t>." + body)). */
export function refV1(secret: string, t: number, body: string | Uint8Array): string {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(Buffer.from(`${t}.`)).update(body).digest("hex");
}

/** base64(HMAC-SHA256(key = base64-decode(secret after whsec_), msg = "<id>.<t>." + body)). */
export function refStandard(secret: string, id: string, t: number, body: string | Uint8Array): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return createHmac("sha256", key).update(Buffer.from(`${id}.${t}.`)).update(body).digest("base64");
}

export function refStandardHeaders(secrets: readonly string[], id: string, t: number, body: string | Uint8Array) {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(t),
    "webhook-signature": secrets.map((s) => `v1,${refStandard(s, id, t, body)}`).join(" "),
  };
}

export const SECRET_A = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const SECRET_B = "whsec_c2Vjb25kLXNlY3JldC1mb3ItdGVzdHMtMDAwMDAwMDAwMA==";
export const SECRET_C = "whsec_dGhpcmQtc2VjcmV0LW5vYm9keS1oYXMtaXQtMDAwMDAwMA==";
export const T = 1_700_000_000;
export const ID = "evt_0123456789abcdef01234567";
export const ENVELOPE =
  '{"api_version":"v1","customer_id":"cus_42","data":{"lead_id":"lead_7"},"id":"evt_0123456789abcdef01234567","timestamp":1700000000,"type":"lead.created"}';

export interface VectorFile {
  cases: Array<{
    name: string;
    secrets: string[];
    timestamp: number;
    id: string;
    body_base64: string;
    v1_header: string;
    standard_webhooks: { "webhook-id": string; "webhook-timestamp": string; "webhook-signature": string };
  }>;
  failures: Array<{
    name: string;
    scheme: "v1" | "standard_webhooks";
    secrets: [string];
    body_base64: string;
    header?: string;
    headers?: Record<string, string>;
    now: number;
    tolerance_seconds: number;
    expected_reason: string;
  }>;
}

export function loadVectors(): VectorFile {
  return JSON.parse(readFileSync(new URL("./signatures.json", import.meta.url), "utf8")) as VectorFile;
}

/** The same bytes as a string, a Buffer and a plain Uint8Array (not a Buffer). */
export function threeForms(bytes: Buffer): Array<[string, string | Uint8Array]> {
  return [
    ["string", bytes.toString("utf8")],
    ["Buffer", bytes],
    ["Uint8Array", new Uint8Array(bytes)],
  ];
}
