import { timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";

/**
 * `<input type="datetime-local">` values (`2026-12-03T21:05`, the reader's local time, no zone;
 * HTML "local date and time string") to and from instants.
 */

/** The instant a datetime-local value names in the reader's time zone, or undefined when empty or unreadable. */
export function timestampFromLocalInput(value: string): Timestamp | undefined {
  if (value === "") return undefined;
  // A date-time form without an offset is local time (ECMA-262, Date Time String Format).
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : timestampFromDate(date);
}

/** `date` as a datetime-local value in the reader's time zone, to the minute. */
export function localInputValue(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
}
