/**
 * Small statistics helpers for the benchmark: percentiles (nearest rank), medians, and
 * number formatting for the printed table.
 */

/** Nearest-rank percentile `p` (0–100) of `values`; NaN when empty. Sorts a copy. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** p50/p95/p99/max of `values`, in the values' unit. */
export function summarize(values: ArrayLike<number>): { count: number; p50: number; p95: number; p99: number; max: number } {
  if (values.length === 0) return { count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1]! };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `1234.5` → `1,235`; NaN/undefined → `–`. */
export function fmtInt(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "–" : Math.round(value).toLocaleString("en-US");
}

/** Fixed decimals; NaN/undefined → `–`. */
export function fmt(value: number | undefined, decimals = 1): string {
  return value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(decimals);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
