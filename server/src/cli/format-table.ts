import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";

/**
 * A plain-text table: a header row, then one row per item, columns padded to their widest
 * cell and separated by two spaces. Cells are single-line; long ones are cut with `…`.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], maxCell = 60): string {
  const clip = (cell: string) => ellipsize(cell, maxCell);
  const cells = [headers.map(clip), ...rows.map((row) => row.map(clip))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => [...(row[i] ?? "")].length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - [...cell].length)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * `text` on one line (runs of white space, line breaks included, become one space) and at
 * most `width` characters (code points): longer text is cut and ends in `…`.
 */
export function ellipsize(text: string, width: number): string {
  const chars = [...text.replace(/\s+/g, " ")];
  return chars.length > width ? `${chars.slice(0, width - 1).join("")}…` : chars.join("");
}

/** `2026-11-29 12:00:05` in UTC, or `-` when unset. */
export function formatTime(timestamp: Timestamp | undefined): string {
  if (timestamp === undefined) return "-";
  return timestampDate(timestamp).toISOString().replace("T", " ").slice(0, 19);
}

const BYTE_UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/**
 * A size for people in binary units, as PostgreSQL's `pg_size_pretty` reads but with one
 * decimal: `512 bytes`, `8.0 KiB`, `1.5 GiB`. `bytes` is a byte count (bigint from the API's
 * uint64 fields, or a number).
 */
export function formatBytes(bytes: bigint | number): string {
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}
