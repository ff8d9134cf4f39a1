import { InvalidArgumentError } from "../domain/errors.js";
import { isIdOf, type IdKind } from "../domain/ids.js";

/**
 * Request validation. Each check throws `InvalidArgumentError(field, reason)` with the proto
 * field name, so a caller reads e.g. `INVALID_ARGUMENT: endpoint_url: must use http or https`.
 */

/** Longest customer id and idempotency key (issue "API and store"). */
export const MAX_CUSTOMER_ID_LENGTH = 255;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
export const MAX_URL_LENGTH = 2048;
export const MAX_DESCRIPTION_LENGTH = 1024;

/** Appended to a refused endpoint host: what the rule is and how an operator lifts it. */
export const NON_PUBLIC_HINT =
  "deliveries go to public addresses only (an operator can allow a range with the server's POSTHORN_ALLOWED_CIDRS setting)";

/**
 * Length in characters (Unicode code points, as PostgreSQL and the Go and Python SDKs count
 * them), not UTF-16 units: "😊" is one character.
 */
function characters(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** PostgreSQL text cannot hold U+0000, and no honest identifier contains control characters. */
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkCustomerId(field: string, value: string): string {
  if (value === "") throw new InvalidArgumentError(field, "is required");
  if (characters(value) > MAX_CUSTOMER_ID_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_CUSTOMER_ID_LENGTH} characters, got ${characters(value)}`);
  }
  if (CONTROL.test(value)) throw new InvalidArgumentError(field, "must not contain control characters");
  return value;
}

export function checkIdempotencyKey(field: string, value: string): string {
  if (characters(value) > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${characters(value)}`);
  }
  if (CONTROL.test(value)) throw new InvalidArgumentError(field, "must not contain control characters");
  return value;
}

export function checkEventType(field: string, value: string, catalog: ReadonlySet<string>): string {
  if (value === "") throw new InvalidArgumentError(field, "is required");
  if (!catalog.has(value)) {
    throw new InvalidArgumentError(field, `unknown event type ${JSON.stringify(value.slice(0, 100))}; ListEventTypes returns the accepted ones`);
  }
  return value;
}

/** Event types of a subscription: each in the catalog, no repeats. Empty means all. */
export function checkEventTypes(field: string, values: readonly string[], catalog: ReadonlySet<string>): string[] {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    checkEventType(`${field}[${index}]`, value, catalog);
    if (seen.has(value)) throw new InvalidArgumentError(`${field}[${index}]`, `repeats ${JSON.stringify(value)}`);
    seen.add(value);
  });
  return [...values];
}

export function checkDescription(field: string, value: string): string {
  if (characters(value) > MAX_DESCRIPTION_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_DESCRIPTION_LENGTH} characters, got ${characters(value)}`);
  }
  if (value.includes("\u0000")) throw new InvalidArgumentError(field, "must not contain U+0000");
  return value;
}

/**
 * An endpoint URL: absolute http(s), no `user:password@`, no fragment, at most 2048
 * characters. `refuseHost` (the address guard) rejects literal non-global hosts at once.
 * Returns the URL normalized by the WHATWG URL parser, which is what is stored and called.
 */
export function checkEndpointUrl(field: string, value: string, refuseHost: (url: URL) => string | undefined): string {
  if (value === "") throw new InvalidArgumentError(field, "is required");
  if (value.length > MAX_URL_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_URL_LENGTH} characters, got ${value.length}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(field, "is not an absolute URL (expected e.g. https://example.com/webhooks)");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidArgumentError(field, `must use http or https, got ${url.protocol.slice(0, -1)}`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new InvalidArgumentError(field, "must not contain a user:password part; authenticate with the signature instead");
  }
  if (url.hash !== "") throw new InvalidArgumentError(field, "must not contain a #fragment (it is never sent)");
  const refused = refuseHost(url);
  if (refused !== undefined) throw new InvalidArgumentError(field, `${refused}; ${NON_PUBLIC_HINT}`);
  if (url.href.length > MAX_URL_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_URL_LENGTH} characters once normalized, got ${url.href.length}`);
  }
  return url.href;
}

/** An id of the given kind (`evt_…`, `sub_…`, `dlv_…`). Malformed ids cannot exist: INVALID_ARGUMENT. */
export function checkId(field: string, value: string, kind: IdKind): string {
  if (value === "") throw new InvalidArgumentError(field, "is required");
  if (!isIdOf(kind, value)) {
    throw new InvalidArgumentError(field, `is not ${kind === "event" ? "an" : "a"} ${kind} id (expected ${idExample(kind)})`);
  }
  return value;
}

function idExample(kind: IdKind): string {
  const prefix = { event: "evt_", subscription: "sub_", delivery: "dlv_", attempt: "att_" }[kind];
  return `${prefix} + 24 lowercase hex characters`;
}

/**
 * The first number in `value` that JSON cannot represent (NaN, ±Infinity), as a path like
 * `data.a[2]`; undefined when there is none. protobuf `Value.number_value` can carry them,
 * canonical JSON cannot.
 */
export function findNonFiniteNumber(value: unknown, path: string): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNonFiniteNumber(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      const found = findNonFiniteNumber(child, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}
