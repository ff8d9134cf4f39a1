/**
 * At most one log line per key (e.g. a failure reason) per `intervalMs`: a client hammering the
 * API with a bad key must not flood the log. The line after a quiet spell carries how many were
 * left out (`suppressed`). Counting every event is the metrics' job.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly nowMs: () => number,
  ) {}

  /** Calls `write(suppressed)` unless a line for `key` was written less than `intervalMs` ago. */
  run(key: string, write: (suppressed: number) => void): void {
    const now = this.nowMs();
    const entry = this.last.get(key);
    if (entry && now - entry.atMs < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    this.last.set(key, { atMs: now, suppressed: 0 });
    write(entry?.suppressed ?? 0);
  }
}
