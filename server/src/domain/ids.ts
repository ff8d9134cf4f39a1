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
 * A new random id: the kind's prefix + 24 lowercase hex characters (96 random bits), the
 * contract's `evt_` + 24 hex shape. Random, and documented as such (fault 5 of the reference
 * called its random ids "deterministic").
 */
export function newId(kind: IdKind): string {
  if (poolOffset + ID_BYTES > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = ID_PREFIX[kind] + pool.toString("hex", poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return id;
}

/** Random bytes are drawn 4 KiB at a time (one CSPRNG call per 341 ids; ids are on the hot path). */
const ID_BYTES = 12;
const pool = Buffer.alloc(4092);
let poolOffset = pool.length;

const ID_SHAPE = /^[a-z]{3}_[0-9a-f]{24}$/;

/** Whether `value` has the shape of an id of `kind` (prefix + 24 lowercase hex). */
export function isIdOf(kind: IdKind, value: string): boolean {
  return value.startsWith(ID_PREFIX[kind]) && ID_SHAPE.test(value);
}
