import { randomFillSync } from "node:crypto";

/** Object kinds and their id prefixes (svix-style typed ids). */
export const ID_PREFIX = {
  event: "evt_",
  subscription: "sub_",
  delivery: "dlv_",
  attempt: "att_",
  apiKey: "key_",
  auditRecord: "aud_",
  /** A delivery worker process: the lease owner of the deliveries it claims. */
  worker: "wrk_",
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/**
 * A new id: the kind's prefix + 24 lowercase hex characters, the contract's `evt_` + 24 hex
 * shape. The first 12 hex digits are `atMs` (unix milliseconds, default now), the other 12 are
 * random (48 bits from the CSPRNG), so ids of one kind sort by time, and the time part of an
 * event's or delivery's id is its `created_at`, which selects its partition (issue 14:
 * store/partitions.ts; the idea of ULID and UUIDv7, RFC 9562 §5.7). Ids made before this layout
 * are 96 random bits: `timeOfId` cannot tell them apart, so a lookup by id also looks in the
 * partition of rows older than the conversion (store/partition-key.ts).
 */
export function newId(kind: IdKind, atMs: number = Date.now()): string {
  if (poolOffset + RANDOM_BYTES > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const time = Math.max(0, Math.min(MAX_ID_TIME_MS, Math.floor(atMs)));
  const id = ID_PREFIX[kind] + time.toString(16).padStart(12, "0") + pool.toString("hex", poolOffset, poolOffset + RANDOM_BYTES);
  poolOffset += RANDOM_BYTES;
  return id;
}

/** The largest time an id can hold: 12 hex digits of milliseconds (year 10889). */
const MAX_ID_TIME_MS = 0xffffffffffff;

/**
 * The time part of an id made by `newId`, in unix milliseconds; undefined when `id` does not
 * have the id shape. For an id of the older, all-random layout this is a meaningless time.
 */
export function timeOfId(id: string): number | undefined {
  const underscore = id.indexOf("_");
  if (underscore !== 3 || !ID_SHAPE.test(id)) return undefined;
  return parseInt(id.slice(4, 16), 16);
}

/** Random bytes are drawn 4 KiB at a time (one CSPRNG call per 682 ids; ids are on the hot path). */
const RANDOM_BYTES = 6;
const pool = Buffer.alloc(4092);
let poolOffset = pool.length;

const ID_SHAPE = /^[a-z]{3}_[0-9a-f]{24}$/;

/** Whether `value` has the shape of an id of `kind` (prefix + 24 lowercase hex). */
export function isIdOf(kind: IdKind, value: string): boolean {
  return value.startsWith(ID_PREFIX[kind]) && ID_SHAPE.test(value);
}
