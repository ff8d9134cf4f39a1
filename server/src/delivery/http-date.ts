/**
 * HTTP-date parsing, strict to RFC 9110 §5.6.7: IMF-fixdate (preferred) and the two obsolete
 * forms a recipient must also accept (RFC 850 and asctime). `Date.parse` is not used because V8
 * accepts almost anything ("1", "soon 12"), and a garbage `Retry-After` must be ignored.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SHORT_DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTH = `(${MONTHS.join("|")})`;
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";

/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(`^${SHORT_DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT` */
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** `Sun Nov  6 08:49:37 1994` */
const ASCTIME_DATE = new RegExp(`^${SHORT_DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Parses an HTTP-date into epoch milliseconds, or `undefined` when `value` is not one.
 * The day name is not checked against the date (RFC 9110 lets recipients ignore it). A two-digit
 * RFC 850 year more than 50 years after `nowMs` means the previous century (RFC 9110 §5.6.7).
 */
export function parseHttpDate(value: string, nowMs: number): number | undefined {
  let m = IMF_FIXDATE.exec(value);
  if (m) return utc(m[3], m[2], m[1], m[4], m[5], m[6]);
  m = RFC850_DATE.exec(value);
  if (m) {
    const nowYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(nowYear / 100) * 100 + Number(m[3]);
    if (year > nowYear + 50) year -= 100;
    return utc(String(year), m[2], m[1], m[4], m[5], m[6]);
  }
  m = ASCTIME_DATE.exec(value);
  if (m) return utc(m[6], m[1], m[2], m[3], m[4], m[5]);
  return undefined;
}

function utc(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
): number | undefined {
  const y = Number(year);
  const mo = MONTHS.indexOf(month ?? "");
  const d = Number(day?.trim());
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  // RFC 9110 allows second 60 (a leap second); it is counted into the next minute.
  if (mo < 0 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const dayMs = Date.UTC(y, mo, d);
  // Reject days that do not exist (Feb 30): Date.UTC would roll them into the next month.
  if (new Date(dayMs).getUTCDate() !== d) return undefined;
  return dayMs + ((h * 60 + mi) * 60 + s) * 1000;
}
