import { setImmediate as yieldToEventLoop } from "node:timers/promises";

/** Rows per multi-row INSERT, well under PostgreSQL's 65,535 bind parameters. */
export const INSERT_CHUNK = 2000;
/**
 * Bytes (as counted by the caller, e.g. envelope bytes) per multi-row INSERT. PGlite runs a
 * statement on the event loop's thread (about 55 ms per 256 KiB of envelope, measured), so a
 * 4 MiB batch in one statement would stall every other call of the process for about a second;
 * in statements of this size, with a turn of the event loop between them, it stalls them for
 * ~100 ms at a time.
 */
export const INSERT_CHUNK_BYTES = 512 * 1024;

/**
 * Runs `insert` on `rows` in order, in chunks of at most `INSERT_CHUNK` rows and (but for a
 * single larger row) `INSERT_CHUNK_BYTES` by `bytesOf`, with a turn of the event loop between
 * chunks so that other calls of the process run in between.
 */
export async function insertInChunks<T>(
  rows: readonly T[],
  bytesOf: (row: T) => number,
  insert: (chunk: T[]) => Promise<void>,
): Promise<void> {
  for (const [n, chunk] of chunks(rows, INSERT_CHUNK, INSERT_CHUNK_BYTES, bytesOf).entries()) {
    if (n > 0) await yieldToEventLoop();
    await insert(chunk);
  }
}

/** `items` in runs of at most `size` items and (but for a single larger item) `maxBytes` by `bytesOf`. */
function chunks<T>(items: readonly T[], size: number, maxBytes: number, bytesOf: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const itemBytes = bytesOf(item);
    if (current.length > 0 && (current.length >= size || bytes + itemBytes > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += itemBytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}
