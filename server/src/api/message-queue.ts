/**
 * A queue of messages read as an async iterable by one reader: the bridge from a push source
 * (the attempt feed) to a server stream that pulls (Connect's async generator). At most `limit`
 * messages wait; one more ends the stream with `overflow()` (a reader that cannot keep up must
 * not grow the server's memory without bound). `close()` ends it after the waiting messages;
 * `close(error)` ends it at once, dropping them (a watch whose key was revoked, or whose reader
 * fell behind, must get no more messages), and the error is thrown to the reader.
 */
export class MessageQueue<T> implements AsyncIterable<T> {
  private readonly waiting: T[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private error: unknown;

  constructor(
    private readonly limit: number,
    private readonly overflow: () => Error,
  ) {}

  /** Adds `message` (ignored once closed). */
  push(message: T): void {
    if (this.closed) return;
    if (this.waiting.length >= this.limit) {
      this.close(this.overflow());
      return;
    }
    this.waiting.push(message);
    this.wake?.();
  }

  /** Ends the stream: OK after the waiting messages without `error`; else at once, `error` thrown to the reader. Idempotent. */
  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.error = error;
    if (error !== undefined) this.waiting.length = 0;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const next = this.waiting.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.closed) break;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    if (this.error !== undefined) throw this.error;
  }
}
