import { InvalidArgumentError } from "../domain/errors.js";

/**
 * Keyset pagination. Lists are ordered by each table's `seq` identity column (oldest first, or
 * newest first on request), so a page token is "the last seq seen" plus the order: rows added
 * between pages get higher seqs and land on later pages (oldest first) or not at all (newest
 * first), never repeating or shifting a row. The token is opaque to callers (base64url).
 */
export interface Page {
  /** Which list the token belongs to; a token of another list is refused. */
  list: PagedList;
  newestFirst: boolean;
  /** The last seq of the previous page (decimal string), or undefined for the first page. */
  lastSeq: string | undefined;
  /** Rows to return, 1..1000. */
  limit: number;
}

/** The WHERE bound and ORDER BY direction a page reads with: `seq <op> bound ORDER BY seq <direction>`. */
export function keyset(page: Page): { op: ">" | "<"; bound: string; direction: "asc" | "desc" } {
  return page.newestFirst
    ? { op: "<", bound: page.lastSeq ?? "9223372036854775807", direction: "desc" }
    : { op: ">", bound: page.lastSeq ?? "0", direction: "asc" };
}

/** The paged lists; each token names its list. */
export const PAGED_LISTS = ["events", "subscriptions", "deliveries", "keys", "audit"] as const;
export type PagedList = (typeof PAGED_LISTS)[number];

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** Reads `page_size`, `page_token` and `newest_first`; throws `InvalidArgumentError` naming the bad field. */
export function readPage(list: PagedList, pageSize: number, pageToken: string, newestFirst = false): Page {
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError("page_size", `must be between 0 and ${MAX_PAGE_SIZE} (0 means ${DEFAULT_PAGE_SIZE}), got ${pageSize}`);
  }
  return {
    list,
    newestFirst,
    lastSeq: pageToken === "" ? undefined : decode(list, newestFirst, pageToken),
    limit: pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize,
  };
}

/** A page's byte bound: rows are added while their `bytesOf` total stays under `maxBytes`. */
export interface PageBytes<T> {
  maxBytes: number;
  /** Bytes the row adds to the serialized response. */
  bytesOf: (row: T) => number;
}

/**
 * The rows a page sends and the token that continues right after the last of them (empty when
 * no row is left). `rows` were read with `limit + 1` (or fewer, when the read itself stopped
 * early: it then returns at least 2 rows, see the list SQL); at most `limit` are sent, and with
 * `bytes` only as many as keep their total under `bytes.maxBytes`, except that the first row
 * always goes (a page is never empty while rows remain). `bytesOf` is called for the rows
 * considered only, in order.
 */
export function nextPage<T extends { seq: string }>(rows: T[], page: Page, bytes?: PageBytes<T>): { rows: T[]; nextPageToken: string } {
  let count = Math.min(rows.length, page.limit);
  if (bytes) {
    let total = 0;
    for (let i = 0; i < count; i++) {
      total += bytes.bytesOf(rows[i]!);
      if (i > 0 && total >= bytes.maxBytes) {
        count = i;
        break;
      }
    }
  }
  if (count === rows.length) return { rows, nextPageToken: "" };
  const shown = rows.slice(0, count);
  return { rows: shown, nextPageToken: encode(page, String(shown[shown.length - 1]!.seq)) };
}

function encode(page: Page, seq: string): string {
  return Buffer.from(`p2:${page.list}:${page.newestFirst ? "n" : "o"}:${seq}`).toString("base64url");
}

/** Tokens this server makes are under 60 characters; longer ones are refused before decoding. */
export const MAX_PAGE_TOKEN_LENGTH = 128;
/** The largest `seq` (PostgreSQL bigint). */
const MAX_SEQ = 9223372036854775807n;
const NOT_OURS = "is not a token from a previous response of this list";

/**
 * A token's last seq. Refused (INVALID_ARGUMENT `page_token: …`): anything longer than
 * `MAX_PAGE_TOKEN_LENGTH`, not base64url, not of our shape, of another list, made for the other
 * order, or with a seq beyond the bigint range (which the database would refuse with an error).
 */
function decode(list: PagedList, newestFirst: boolean, token: string): string {
  if (token.length > MAX_PAGE_TOKEN_LENGTH) {
    throw new InvalidArgumentError("page_token", `${NOT_OURS} (${token.length} characters; tokens are at most ${MAX_PAGE_TOKEN_LENGTH})`);
  }
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(token)) throw new InvalidArgumentError("page_token", NOT_OURS);
  const match = /^p2:([a-z]+):([no]):(\d{1,19})$/.exec(Buffer.from(token, "base64url").toString("latin1"));
  if (!match || BigInt(match[3]!) > MAX_SEQ) throw new InvalidArgumentError("page_token", NOT_OURS);
  if (match[1] !== list) {
    const owner = PAGED_LISTS.includes(match[1] as PagedList) ? ` (it belongs to the ${match[1]} list)` : "";
    throw new InvalidArgumentError("page_token", `${NOT_OURS}${owner}`);
  }
  if ((match[2] === "n") !== newestFirst) {
    throw new InvalidArgumentError("page_token", `was made for ${match[2] === "n" ? "newest_first: true" : "newest_first: false"}; keep the order while paging`);
  }
  return match[3]!;
}
