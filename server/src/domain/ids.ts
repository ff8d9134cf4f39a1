import { randomBytes } from "node:crypto";

/** Object kinds and their id prefixes (svix-style typed ids). */
export const ID_PREFIX = {
  event: "evt_",
  subscription: "sub_",
  delivery: "dlv_",
  attempt: "att_",
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/**
 * A new random id: the kind's prefix + 24 lowercase hex characters (96 random bits), the
 * contract's `evt_` + 24 hex shape. Random, and documented as such (fault 5 of the reference
 * called its random ids "deterministic").
 */
export function newId(kind: IdKind): string {
  return ID_PREFIX[kind] + randomBytes(12).toString("hex");
}

const ID_SHAPE = /^[a-z]{3}_[0-9a-f]{24}$/;

/** Whether `value` has the shape of an id of `kind` (prefix + 24 lowercase hex). */
export function isIdOf(kind: IdKind, value: string): boolean {
  return value.startsWith(ID_PREFIX[kind]) && ID_SHAPE.test(value);
}
