import { InvalidArgumentError } from "../domain/errors.js";

/**
 * Keyset pagination. Lists are ordered by each table's `seq` identity column, so a page token
 * is "the last seq seen": rows added between pages get higher seqs and land on later pages,
 * never repeating or shifting a row. The token is opaque to callers (base64url).
 */
export interface Page {
  /** Which list the token belongs to; a token of another list is refused. */
  list: PagedList;
  /** Rows with `seq` greater than this (as a decimal string); "0" for the first page. */
  afterSeq: string;
  /** Rows to return, 1..1000. */
  limit: number;
}

/** The paged lists; each token names its list. */
export type PagedList = "events" | "subscriptions" | "deliveries";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** Reads `page_size` and `page_token`; throws `InvalidArgumentError` naming the bad field. */
export function readPage(list: PagedList, pageSize: number, pageToken: string): Page {
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError("page_size", `must be between 0 and ${MAX_PAGE_SIZE} (0 means ${DEFAULT_PAGE_SIZE}), got ${pageSize}`);
  }
  return { list, afterSeq: pageToken === "" ? "0" : decode(list, pageToken), limit: pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize };
}

/**
 * The next page's token for a page read with `limit + 1` rows: empty when there is no more.
 * Returns the rows to send (at most `limit`).
 */
export function nextPage<T extends { seq: string }>(rows: T[], page: Page): { rows: T[]; nextPageToken: string } {
  if (rows.length <= page.limit) return { rows, nextPageToken: "" };
  const shown = rows.slice(0, page.limit);
  return { rows: shown, nextPageToken: encode(page.list, shown[shown.length - 1]!.seq) };
}

function encode(list: PagedList, seq: string): string {
  return Buffer.from(`p1:${list}:${seq}`).toString("base64url");
}

function decode(list: PagedList, token: string): string {
  const match = /^p1:([a-z]+):(\d{1,19})$/.exec(Buffer.from(token, "base64url").toString("latin1"));
  if (!match || match[1] !== list) throw new InvalidArgumentError("page_token", "is not a token from a previous response of this list");
  return match[2]!;
}
