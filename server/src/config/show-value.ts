/**
 * How a configuration value appears in an error message: JSON-quoted, at most
 * `MAX_SHOWN_CHARS` characters, and with any password in it masked (a DATABASE_URL or proxy URL
 * carries one as `user:password@` or `?password=`), so a message is safe to paste in a ticket.
 */

/** Longest value shown in a message, in characters; longer ones are cut and end in `…`. */
export const MAX_SHOWN_CHARS = 80;

/** `value` as it appears in a message, e.g. `"notacidr"`, `["a","b"]`; see the module comment. */
export function showValue(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  const masked = maskSecrets(text);
  const cut = masked.length > MAX_SHOWN_CHARS ? `${masked.slice(0, MAX_SHOWN_CHARS)}…` : masked;
  return typeof value === "string" ? JSON.stringify(cut) : cut;
}

/**
 * Replaces the password of a URL (`scheme://user:password@…`, up to the last `@`, so a password
 * with an unescaped `@` or `/` is masked whole; masking too much is the safe side) and any
 * `password=` query parameter (libpq's URI form) with `***`.
 */
export function maskSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@?#\s]*:)\S*@/gi, "$1***@")
    .replace(/([?&]password=)[^&#\s]*/gi, "$1***");
}
