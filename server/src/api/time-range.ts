import { InvalidArgumentError } from "../domain/errors.js";
import { checkTimestamp } from "./validate.js";

/**
 * ListDeliveries' `created_after` (inclusive) and `created_before` (exclusive), each optional:
 * each a valid timestamp (`checkTimestamp`), and when both are set `created_after` must be
 * earlier than `created_before` (an empty range is a caller's mistake, not an empty list):
 * INVALID_ARGUMENT naming `created_before`.
 */
export function checkTimeRange(
  after: { seconds: bigint; nanos: number } | undefined,
  before: { seconds: bigint; nanos: number } | undefined,
): { createdAfter: Date | undefined; createdBefore: Date | undefined } {
  const createdAfter = after === undefined ? undefined : checkTimestamp("created_after", after);
  const createdBefore = before === undefined ? undefined : checkTimestamp("created_before", before);
  if (after !== undefined && before !== undefined) {
    const earlier = after.seconds < before.seconds || (after.seconds === before.seconds && after.nanos < before.nanos);
    if (!earlier) {
      throw new InvalidArgumentError("created_before", `must be later than created_after (${createdAfter!.toISOString()}), got ${createdBefore!.toISOString()}`);
    }
  }
  return { createdAfter, createdBefore };
}
