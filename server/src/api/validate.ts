import { InvalidArgumentError } from "../domain/errors.js";
import { ID_PREFIX, isIdOf, type IdKind } from "../domain/ids.js";
import { excerpt, jsonPathStep } from "../domain/excerpt.js";
import { isOperationalEventType } from "../domain/operational-events.js";

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

/**
 * PostgreSQL text cannot hold U+0000, and no honest identifier contains control characters:
 * C0, DEL, C1 (U+0080 to U+009F) and the line and paragraph separators U+2028 and U+2029,
 * which break log lines and JSON-in-JavaScript as line feeds do.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function checkCustomerId(field: string, value: string): string {
  if (value === "") throw new InvalidArgumentError(field, "is required");
  if (value.trim() === "") throw new InvalidArgumentError(field, "must not be blank (only whitespace)");
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

/**
 * The type of an event to emit: in the catalog. An operational type (domain/operational-events.ts)
 * is refused with its own reason: only the server emits those.
 */
export function checkEventType(field: string, value: string, catalog: { has(type: string): boolean }): string {
  if (value === "") throw new InvalidArgumentError(field, "is required");
  if (isOperationalEventType(value)) throw new InvalidArgumentError(field, `${value} is an operational event type; only Posthorn emits it`);
  if (!catalog.has(value)) {
    throw new InvalidArgumentError(field, `unknown event type ${excerpt(value)}; ListEventTypes returns the accepted ones`);
  }
  return value;
}

/**
 * Event types of a subscription: each in the catalog or an operational type, no repeats. Empty
 * means all. Operational types are allowed to the operational customer only: see
 * `checkOperationalSubscriber`.
 */
export function checkEventTypes(field: string, values: readonly string[], catalog: { has(type: string): boolean }): string[] {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (!isOperationalEventType(value)) checkEventType(`${field}[${index}]`, value, catalog);
    if (seen.has(value)) throw new InvalidArgumentError(`${field}[${index}]`, `repeats ${JSON.stringify(value)}`);
    seen.add(value);
  });
  return [...values];
}

/**
 * Refuses operational event types in the event types of a subscription of `customerId` unless
 * it is the operational customer (`operationalCustomerId`, POSTHORN_OPERATIONAL_CUSTOMER_ID):
 * those events go to that customer's subscriptions only, so naming them elsewhere would be a
 * filter that never matches.
 */
export function checkOperationalSubscriber(field: string, values: readonly string[], customerId: string, operationalCustomerId: string | undefined): void {
  if (customerId === operationalCustomerId) return;
  const index = values.findIndex(isOperationalEventType);
  if (index < 0) return;
  const why =
    operationalCustomerId === undefined
      ? "no customer gets them on this server (POSTHORN_OPERATIONAL_CUSTOMER_ID is unset)"
      : "only the operator's customer id (POSTHORN_OPERATIONAL_CUSTOMER_ID) gets them";
  throw new InvalidArgumentError(`${field}[${index}]`, `${values[index]} is an operational event type: Posthorn sends those to the operator; ${why}`);
}

/**
 * Control characters free text may not hold: all of C0, DEL and C1 except tab, line feed and
 * carriage return, which people's text uses. U+0000 in particular: PostgreSQL text cannot hold it.
 */
const TEXT_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export function checkDescription(field: string, value: string): string {
  if (characters(value) > MAX_DESCRIPTION_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_DESCRIPTION_LENGTH} characters, got ${characters(value)}`);
  }
  const control = TEXT_CONTROL.exec(value);
  if (control) {
    throw new InvalidArgumentError(field, `must not contain control characters other than tab and line breaks, got ${codePoint(control[0])}`);
  }
  return value;
}

/** Longest API key name, in characters (proto CreateApiKeyRequest.name). */
export const MAX_NAME_LENGTH = 100;

/** A name for people (API keys): 1 to 100 characters, not blank, no control characters. */
export function checkName(field: string, value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError(field, value === "" ? "is required" : "must not be blank (only whitespace)");
  if (characters(value) > MAX_NAME_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_NAME_LENGTH} characters, got ${characters(value)}`);
  }
  const control = CONTROL.exec(value);
  if (control) throw new InvalidArgumentError(field, `must not contain control characters, got ${codePoint(control[0])}`);
  return value;
}

/** `U+001B` for a one-character string. */
function codePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * A list or watch filter that holds a customer id (`customer_id`): empty means "any";
 * otherwise the rules of `checkCustomerId`, since no stored customer id breaks them.
 */
export function checkCustomerIdFilter(field: string, value: string): string {
  return value === "" ? "" : checkCustomerId(field, value);
}

/** A filter that holds an id (`event_id`, `subscription_id`): empty means "any", else a well-formed id of `kind`. */
export function checkIdFilter(field: string, value: string, kind: IdKind): string {
  return value === "" ? "" : checkId(field, value, kind);
}

/**
 * A filter on the event type (`ListEvents.type`, `ListDeliveries.event_type`): empty means "any". Not checked against the
 * catalog (events of a type since removed from it stay listable), but held to the shape a type
 * can have: at most 255 characters, no control characters.
 */
export function checkEventTypeFilter(field: string, value: string): string {
  if (characters(value) > MAX_CUSTOMER_ID_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_CUSTOMER_ID_LENGTH} characters, got ${characters(value)}`);
  }
  if (CONTROL.test(value)) throw new InvalidArgumentError(field, "must not contain control characters");
  return value;
}


/**
 * An endpoint URL: absolute http(s), no `user:password@`, no fragment, at most 2048
 * characters. `hostRefusal` (the address guard's check: why the URL's host is refused, or
 * undefined) rejects literal non-global hosts at once.
 * Returns the URL normalized by the WHATWG URL parser, which is what is stored and called.
 */
export function checkEndpointUrl(field: string, value: string, hostRefusal: (url: URL) => string | undefined): string {
  if (value === "") throw new InvalidArgumentError(field, "is required");
  if (value.length > MAX_URL_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_URL_LENGTH} characters, got ${value.length}`);
  }
  // The URL parser would silently drop tabs and line breaks and trim other controls (WHATWG
  // URL, "basic URL parser"): the stored URL would not be the one sent.
  if (CONTROL.test(value)) throw new InvalidArgumentError(field, "must not contain control characters (percent-encode them)");
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
  const unresolvable = unresolvableHost(url.hostname);
  if (unresolvable !== undefined) throw new InvalidArgumentError(field, `${unresolvable}, so no delivery could ever reach it`);
  const refused = hostRefusal(url);
  if (refused !== undefined) throw new InvalidArgumentError(field, `${refused}; ${NON_PUBLIC_HINT}`);
  if (url.href.length > MAX_URL_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_URL_LENGTH} characters once normalized, got ${url.href.length}`);
  }
  return url.href;
}

/**
 * Why DNS could never resolve `hostname` (as the URL parser normalized it: lower case, IDNA
 * punycode), or undefined: a label over 63 octets or a name over 253 (RFC 1035 section 2.3.4,
 * RFC 1123 section 2.1). IP literals pass.
 */
function unresolvableHost(hostname: string): string | undefined {
  if (hostname.startsWith("[")) return undefined;
  const name = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  if (name.length > 253) return `has a host name of ${name.length} characters; DNS names have at most 253 (RFC 1035)`;
  const label = name.split(".").find((part) => part.length > 63);
  if (label !== undefined) return `has a host label of ${label.length} characters; DNS labels have at most 63 (RFC 1035)`;
  return undefined;
}

/** An id of the given kind (`evt_…`, `sub_…`, `dlv_…`). Malformed ids cannot exist: INVALID_ARGUMENT. */
export function checkId(field: string, value: string, kind: IdKind): string {
  if (value === "") throw new InvalidArgumentError(field, "is required");
  if (!isIdOf(kind, value)) {
    throw new InvalidArgumentError(field, `is not ${ID_NOUN[kind]} id (expected ${ID_PREFIX[kind]} + 24 lowercase hex characters)`);
  }
  return value;
}

/** How each id kind is named in a message, with its article. */
const ID_NOUN: Record<IdKind, string> = {
  event: "an event",
  subscription: "a subscription",
  delivery: "a delivery",
  attempt: "an attempt",
  apiKey: "an API key",
  auditRecord: "an audit record",
  worker: "a worker",
};

/** Deepest nesting of objects and arrays in `data`, `data` itself being level 1 (proto, EmitRequest.data). */
export const MAX_DATA_DEPTH = 32;

/**
 * Checks an event's `data` (a protobuf Struct as JSON) in one pass, without recursion, and
 * throws `InvalidArgumentError` naming the JSON path of the first problem (`data.a[2]`):
 * - a number JSON cannot carry (NaN, ±Infinity; RFC 8259 section 6);
 * - an integer beyond ±(2^53 − 1), which a double (JSON's and `Value.number_value`'s number)
 *   cannot carry exactly, so it would arrive as another number (RFC 7493 section 2.2, I-JSON);
 *   every double of that magnitude is an integer, so 1e300 is refused too;
 * - nesting deeper than `MAX_DATA_DEPTH` levels (reported after the walk, with the deepest level).
 */
export function checkData(field: string, data: unknown): void {
  interface Item {
    value: unknown;
    depth: number;
    parent: Item | undefined;
    key: string | number;
  }
  const stack: Item[] = [{ value: data, depth: 1, parent: undefined, key: "" }];
  let deepest: Item | undefined;
  while (stack.length > 0) {
    const item = stack.pop()!;
    const { value, depth } = item;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new InvalidArgumentError(pathOf(field, item), "is NaN or infinite, which JSON cannot carry");
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        const shown = Math.abs(value) < 1e21 ? String(BigInt(value)) : String(value);
        throw new InvalidArgumentError(
          pathOf(field, item),
          `is the integer ${shown} or near it, beyond ±${Number.MAX_SAFE_INTEGER} (2^53 − 1): a JSON/protobuf double cannot carry it exactly (RFC 7493 section 2.2, I-JSON); send it as a string`,
        );
      }
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth > MAX_DATA_DEPTH && depth > (deepest?.depth ?? 0)) deepest = item;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth: depth + 1, parent: item, key: i });
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push({ value: (value as Record<string, unknown>)[keys[i]!], depth: depth + 1, parent: item, key: keys[i]! });
    }
  }
  if (deepest) {
    throw new InvalidArgumentError(field, `nested ${deepest.depth} levels deep (at ${pathOf(field, deepest)}); at most ${MAX_DATA_DEPTH}`);
  }

  /** `data.a[2]["odd key"]`, cut to 300 characters. Built only for the item that fails (wide data has millions of keys). */
  function pathOf(root: string, item: Item): string {
    const parts: string[] = [];
    for (let at: Item | undefined = item; at?.parent; at = at.parent) {
      parts.push(jsonPathStep(at.key));
    }
    const path = root + parts.reverse().join("");
    return path.length > 300 ? `${path.slice(0, 300)}…` : path;
  }
}

/** The range of `google.protobuf.Timestamp` (timestamp.proto): 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z. */
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n;

/**
 * A valid `google.protobuf.Timestamp` as a `Date` (millisecond precision): seconds within
 * 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z and nanos within 0..999999999, as
 * google/protobuf/timestamp.proto requires. Throws `InvalidArgumentError` naming
 * `<field>.seconds` or `<field>.nanos` and the range.
 */
export function checkTimestamp(field: string, value: { seconds: bigint; nanos: number }): Date {
  if (value.seconds < MIN_TIMESTAMP_SECONDS || value.seconds > MAX_TIMESTAMP_SECONDS) {
    throw new InvalidArgumentError(
      `${field}.seconds`,
      `must be between ${MIN_TIMESTAMP_SECONDS} (0001-01-01T00:00:00Z) and ${MAX_TIMESTAMP_SECONDS} (9999-12-31T23:59:59Z), got ${value.seconds}`,
    );
  }
  if (!Number.isInteger(value.nanos) || value.nanos < 0 || value.nanos > 999_999_999) {
    throw new InvalidArgumentError(`${field}.nanos`, `must be between 0 and 999999999, got ${value.nanos}`);
  }
  return new Date(Number(value.seconds) * 1000 + Math.floor(value.nanos / 1_000_000));
}
