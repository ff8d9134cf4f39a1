/**
 * A success rate as the page shows it: "97 % (33 of 34)", rounded to a whole percent, or "—"
 * when `finished` is 0 (nothing to judge yet). Counts, not a ratio, so the reader sees how much
 * the percentage rests on.
 */
export function formatRate(succeeded: number, finished: number): string {
  if (finished === 0) return "—";
  return `${Math.round((succeeded / finished) * 100)} % (${succeeded} of ${finished})`;
}
