/**
 * Generates `test/vectors/signatures.json`, the signature test vectors shared by the
 * TypeScript, Go and Python verifiers. Run: `npx tsx test/vectors/generate.ts`.
 *
 * This is an independent signer on purpose: it uses only `node:crypto` and restates the
 * rules from the contract, the Stripe scheme and the Standard Webhooks spec in a few lines.
 * It must never import `sdk/verifier`, or a bug there would be copied into the expected
 * values. Output is deterministic (no clock, no randomness), so re-running it yields the
 * same file byte for byte.
 */
import { createHash, createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { refStandardHeaders, refV1, type VectorFile } from "./independent-signer.js";

// ── Independent signer ──────────────────────────────────────────────────────

// The signing itself is `independent-signer.ts` (shared with the verifier tests); here only
// the headers are assembled, and every secret is checked to be canonical base64 first.
function v1Header(secrets: readonly string[], timestamp: number, body: Buffer): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${refV1(s, timestamp, body)}`)].join(",");
}

function standardHeaders(secrets: readonly string[], id: string, timestamp: number, body: Buffer) {
  for (const secret of secrets) {
    const encoded = secret.replace(/^whsec_/, "");
    if (Buffer.from(encoded, "base64").toString("base64") !== encoded) throw new Error(`vector secret is not canonical base64: ${secret}`);
  }
  return refStandardHeaders(secrets, id, timestamp, body);
}

// ── Fixed inputs ────────────────────────────────────────────────────────────

/** A contract-shaped secret: "whsec_" + base64 of 32 bytes, derived from a label. */
function secretFrom(label: string): string {
  return `whsec_${createHash("sha256").update(`posthorn-test-vector-${label}`).digest("base64")}`;
}

const SECRET_A = secretFrom("A");
const SECRET_B = secretFrom("B");
const SECRET_C = secretFrom("C");
/** base64("made-up-key-for-tests-0001"): a 26-byte Standard Webhooks key. */
const SECRET_MADE_UP = "whsec_bWFkZS11cC1rZXktZm9yLXRlc3RzLTAwMDE=";

const T = 1_700_000_000;
const ID = "evt_0123456789abcdef01234567";

const ENVELOPE =
  '{"api_version":"v1","customer_id":"cus_42","data":{"lead_id":"lead_7","score":87},' +
  '"id":"evt_0123456789abcdef01234567","timestamp":1700000000,"type":"lead.created"}';
/** The bytes contain a backslash, "u001B" (capital B): re-serializing gives "\u001b". */
const ESCAPE_CAPITAL_B = '{"log":"\\u001B[31mred"}';
const ESCAPE_LOWER_B = '{"log":"\\u001b[31mred"}';
const NON_ASCII = '{"tier":"Gold 😊","city":"Peñalolén"}';

const utf8 = (s: string) => Buffer.from(s, "utf8");

interface CaseInput {
  name: string;
  secrets: string[];
  timestamp: number;
  id: string;
  body: Buffer;
}

const caseInputs: CaseInput[] = [
  { name: "ascii envelope, one secret", secrets: [SECRET_A], timestamp: T, id: ID, body: utf8(ENVELOPE) },
  { name: "escape with capital B kept as sent", secrets: [SECRET_A], timestamp: T, id: ID, body: utf8(ESCAPE_CAPITAL_B) },
  { name: "escape with lowercase b (re-serialized form)", secrets: [SECRET_A], timestamp: T, id: ID, body: utf8(ESCAPE_LOWER_B) },
  { name: "non-ASCII: emoji and n/e with accents (NFC)", secrets: [SECRET_A], timestamp: T, id: ID, body: utf8(NON_ASCII) },
  {
    name: "non-ASCII: same text in NFD (different bytes, different signature)",
    secrets: [SECRET_A],
    timestamp: T,
    id: ID,
    body: utf8(NON_ASCII.normalize("NFD")),
  },
  {
    name: "non-ASCII: CJK, Arabic and a 4-byte character in an envelope",
    secrets: [SECRET_B],
    timestamp: T + 17,
    id: "evt_fedcba9876543210fedcba98",
    body: utf8(
      '{"api_version":"v1","customer_id":"cus_東京","data":{"note":"مرحبا 𝄞 日本語"},' +
        '"id":"evt_fedcba9876543210fedcba98","timestamp":1700000017,"type":"reply.received"}',
    ),
  },
  { name: "two secrets during rotation (A then B)", secrets: [SECRET_A, SECRET_B], timestamp: T, id: ID, body: utf8(ENVELOPE) },
  { name: "two secrets during rotation (B then A)", secrets: [SECRET_B, SECRET_A], timestamp: T, id: ID, body: utf8(NON_ASCII) },
  { name: "three secrets", secrets: [SECRET_A, SECRET_B, SECRET_C], timestamp: T + 3600, id: ID, body: utf8(ENVELOPE) },
  { name: "26-byte key from made-up whsec_ secret", secrets: [SECRET_MADE_UP], timestamp: T, id: ID, body: utf8(ENVELOPE) },
  {
    name: "whitespace, CRLF and trailing newline are part of the bytes",
    secrets: [SECRET_A],
    timestamp: T,
    id: ID,
    body: utf8('{\r\n  "a" : 1,\r\n  "b" : [ 1, 2 ]\r\n}\n'),
  },
  { name: "empty body", secrets: [SECRET_A], timestamp: T, id: ID, body: Buffer.alloc(0) },
  {
    name: "Standard Webhooks style message id",
    secrets: [SECRET_C],
    timestamp: 2_000_000_000,
    id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
    body: utf8('{"type":"deal.won","amount":"12.50"}'),
  },
];

const cases = caseInputs.map((c) => ({
  name: c.name,
  secrets: c.secrets,
  timestamp: c.timestamp,
  id: c.id,
  body_base64: c.body.toString("base64"),
  v1_header: v1Header(c.secrets, c.timestamp, c.body),
  standard_webhooks: standardHeaders(c.secrets, c.id, c.timestamp, c.body),
}));

// ── Failures ────────────────────────────────────────────────────────────────

type Reason = "malformed_header" | "bad_timestamp" | "missing_v1" | "stale_signature" | "signature_mismatch";

type Failure = VectorFile["failures"][number] & { expected_reason: Reason };

const body = utf8(ENVELOPE);
const goodV1 = refV1(SECRET_A, T, body);
const goodSw = standardHeaders([SECRET_A], ID, T, body);

function v1Failure(name: string, header: string, reason: Reason, extra: Partial<Failure> = {}): Failure {
  return {
    name,
    scheme: "v1",
    secrets: [SECRET_A],
    body_base64: body.toString("base64"),
    header,
    now: T,
    tolerance_seconds: 300,
    expected_reason: reason,
    ...extra,
  };
}

function swFailure(name: string, headers: Record<string, string>, reason: Reason, extra: Partial<Failure> = {}): Failure {
  return {
    name,
    scheme: "standard_webhooks",
    secrets: [SECRET_A],
    body_base64: body.toString("base64"),
    headers,
    now: T,
    tolerance_seconds: 300,
    expected_reason: reason,
    ...extra,
  };
}

function without(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
}

const failures: Failure[] = [
  // v1: malformed_header
  v1Failure("v1 empty header", "", "malformed_header"),
  v1Failure("v1 no key=value parts at all", "garbage", "malformed_header"),
  v1Failure("v1 part with a second '=' (t=123=junk)", `t=${T}=junk,v1=${goodV1}`, "malformed_header"),
  v1Failure("v1 part without '='", `t=${T},v1`, "malformed_header"),
  v1Failure("v1 empty part between commas", `t=${T},,v1=${goodV1}`, "malformed_header"),
  v1Failure("v1 trailing comma", `t=${T},v1=${goodV1},`, "malformed_header"),
  v1Failure("v1 empty value", `t=${T},v1=`, "malformed_header"),
  v1Failure("v1 space inside a value", `t=${T},v1=${goodV1.slice(0, 10)} ${goodV1.slice(10)}`, "malformed_header"),
  v1Failure("v1 no t part", `v1=${goodV1}`, "malformed_header"),
  v1Failure("v1 two t parts", `t=${T},t=${T},v1=${goodV1}`, "malformed_header"),
  // v1: bad_timestamp
  v1Failure("v1 timestamp not a number", `t=abc,v1=${goodV1}`, "bad_timestamp"),
  v1Failure("v1 negative timestamp", `t=-${T},v1=${goodV1}`, "bad_timestamp"),
  v1Failure("v1 fractional timestamp", `t=${T}.5,v1=${goodV1}`, "bad_timestamp"),
  v1Failure("v1 timestamp in milliseconds is far future, not bad", `t=${T}000,v1=${goodV1}`, "stale_signature"),
  v1Failure("v1 timestamp beyond 2^53", `t=99999999999999999999,v1=${goodV1}`, "bad_timestamp"),
  v1Failure("v1 bad timestamp wins over missing v1", "t=abc,v0=00", "bad_timestamp"),
  // v1: missing_v1
  v1Failure("v1 only a v0 entry", `t=${T},v0=${goodV1}`, "missing_v1"),
  v1Failure("v1 scheme names are case-sensitive (V1)", `t=${T},V1=${goodV1}`, "missing_v1"),
  v1Failure("v1 only t", `t=${T}`, "missing_v1"),
  // v1: stale_signature
  v1Failure("v1 301 s old with tolerance 300", `t=${T},v1=${goodV1}`, "stale_signature", { now: T + 301 }),
  v1Failure("v1 301 s in the future with tolerance 300", `t=${T},v1=${goodV1}`, "stale_signature", { now: T - 301 }),
  v1Failure("v1 61 s old with tolerance 60", `t=${T},v1=${goodV1}`, "stale_signature", { now: T + 61, tolerance_seconds: 60 }),
  v1Failure(
    "v1 stale is reported before mismatch",
    `t=${T},v1=${refV1(SECRET_B, T, body)}`,
    "stale_signature",
    { now: T + 1000 },
  ),
  // v1: signature_mismatch
  v1Failure("v1 signed with another secret", `t=${T},v1=${refV1(SECRET_B, T, body)}`, "signature_mismatch"),
  v1Failure("v1 signed with the 26-byte key instead of the secret string", `t=${T},v1=${createHmac("sha256", Buffer.from("made-up-key-for-tests-0001")).update(Buffer.concat([utf8(`${T}.`), body])).digest("hex")}`, "signature_mismatch", { secrets: [SECRET_MADE_UP] }),
  v1Failure("v1 timestamp changed after signing", `t=${T + 1},v1=${goodV1}`, "signature_mismatch"),
  v1Failure("v1 uppercase hex is not the same signature", `t=${T},v1=${goodV1.toUpperCase()}`, "signature_mismatch"),
  v1Failure("v1 truncated signature", `t=${T},v1=${goodV1.slice(0, 63)}`, "signature_mismatch"),
  v1Failure("v1 the good signature under v0 does not count", `t=${T},v0=${goodV1},v1=${"0".repeat(64)}`, "signature_mismatch"),
  {
    ...v1Failure(
      "v1 body re-serialized: \\u001B became \\u001b",
      `t=${T},v1=${refV1(SECRET_A, T, utf8(ESCAPE_CAPITAL_B))}`,
      "signature_mismatch",
    ),
    body_base64: utf8(ESCAPE_LOWER_B).toString("base64"),
  },
  {
    ...v1Failure(
      "v1 body normalized to NFD",
      `t=${T},v1=${refV1(SECRET_A, T, utf8(NON_ASCII))}`,
      "signature_mismatch",
    ),
    body_base64: utf8(NON_ASCII.normalize("NFD")).toString("base64"),
  },

  // Standard Webhooks: malformed_header
  swFailure("sw missing webhook-id", without(goodSw, "webhook-id"), "malformed_header"),
  swFailure("sw missing webhook-timestamp", without(goodSw, "webhook-timestamp"), "malformed_header"),
  swFailure("sw missing webhook-signature", without(goodSw, "webhook-signature"), "malformed_header"),
  swFailure("sw empty webhook-signature", { ...goodSw, "webhook-signature": "" }, "malformed_header"),
  swFailure("sw signature entry without a comma", { ...goodSw, "webhook-signature": "v1" + goodSw["webhook-signature"].slice(3) }, "malformed_header"),
  swFailure("sw signature entry with an empty signature", { ...goodSw, "webhook-signature": "v1," }, "malformed_header"),
  // Standard Webhooks: bad_timestamp
  swFailure("sw timestamp not a number", { ...goodSw, "webhook-timestamp": "abc" }, "bad_timestamp"),
  swFailure("sw timestamp in ISO 8601", { ...goodSw, "webhook-timestamp": "2023-11-14T22:13:20Z" }, "bad_timestamp"),
  swFailure("sw fractional timestamp", { ...goodSw, "webhook-timestamp": `${T}.0` }, "bad_timestamp"),
  // Standard Webhooks: missing_v1
  swFailure("sw only a v1a (asymmetric) entry", { ...goodSw, "webhook-signature": `v1a,${goodSw["webhook-signature"].slice(3)}` }, "missing_v1"),
  // Standard Webhooks: stale_signature
  swFailure("sw 301 s old with tolerance 300", goodSw, "stale_signature", { now: T + 301 }),
  swFailure("sw 301 s in the future with tolerance 300", goodSw, "stale_signature", { now: T - 301 }),
  // Standard Webhooks: signature_mismatch
  swFailure("sw signed with another secret", standardHeaders([SECRET_B], ID, T, body), "signature_mismatch"),
  swFailure("sw id changed after signing", { ...goodSw, "webhook-id": "evt_ffffffffffffffffffffffff" }, "signature_mismatch"),
  swFailure("sw timestamp changed after signing", { ...goodSw, "webhook-timestamp": String(T + 1) }, "signature_mismatch"),
  swFailure("sw truncated signature", { ...goodSw, "webhook-signature": goodSw["webhook-signature"].slice(0, -2) }, "signature_mismatch"),
  swFailure(
    "sw key used as UTF-8 string (v1 rule) instead of base64-decoded",
    {
      ...goodSw,
      "webhook-signature": `v1,${createHmac("sha256", Buffer.from(SECRET_A, "utf8")).update(`${ID}.${T}.`).update(body).digest("base64")}`,
    },
    "signature_mismatch",
  ),
  {
    ...swFailure(
      "sw body re-serialized: \\u001B became \\u001b",
      standardHeaders([SECRET_A], ID, T, utf8(ESCAPE_CAPITAL_B)),
      "signature_mismatch",
    ),
    body_base64: utf8(ESCAPE_LOWER_B).toString("base64"),
  },
];

const out = `${JSON.stringify({ cases, failures }, null, 2)}\n`;
const target = fileURLToPath(new URL("./signatures.json", import.meta.url));
writeFileSync(target, out);
console.log(`wrote ${cases.length} cases and ${failures.length} failures to ${target}`);
