import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";

/** A proto Timestamp as the reader's local date and time, or "—" when unset. */
export function formatTime(timestamp: Timestamp | undefined): string {
  return timestamp === undefined ? "—" : timestampDate(timestamp).toLocaleString();
}
