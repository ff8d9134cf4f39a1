import { expect } from "vitest";
import { PosthornError, status } from "@posthorn/sdk";

/**
 * Awaits `call`, which must reject with a `PosthornError` of `code` whose message (without the
 * code prefix) matches `message`. Returns the error for further checks.
 */
export async function expectError(call: Promise<unknown>, code: status, message: RegExp | string): Promise<PosthornError> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected ${status[code]}, the call succeeded with ${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v))?.slice(0, 300)}`);
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(PosthornError);
  const failure = error as PosthornError;
  expect({ code: failure.codeName, details: failure.details }).toEqual({ code: status[code], details: expect.stringMatching(message) });
  expect(failure.message).toBe(`${status[code]}: ${failure.details}`);
  return failure;
}

/** A well-formed id that names nothing. */
export const UNKNOWN = {
  event: "evt_" + "0".repeat(24),
  subscription: "sub_" + "0".repeat(24),
  delivery: "dlv_" + "0".repeat(24),
} as const;

/** Escapes text for use inside a RegExp. */
export function literal(text: string): RegExp {
  return new RegExp("^" + text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "$");
}
