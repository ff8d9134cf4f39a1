/**
 * Group commit: items handed to `submit` are written together. When no write is running, an
 * item is written at once (no added latency at low load); items that arrive while a write is
 * running are written together by the next one, so under load the cost is one database round
 * trip per batch instead of one per item. `write` gets the batch and must return one result per
 * item, in order; if it throws, every item of that batch is rejected with the error.
 */
export class GroupCommit<I, O> {
  readonly #write: (items: I[]) => Promise<O[]>;
  readonly #maxBatch: number;
  #waiting: { item: I; resolve: (result: O) => void; reject: (error: unknown) => void }[] = [];
  #writing: Promise<void> | undefined;

  constructor(write: (items: I[]) => Promise<O[]>, maxBatch: number) {
    this.#write = write;
    this.#maxBatch = maxBatch;
  }

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#writing ??= this.#drain();
    });
  }

  async #drain(): Promise<void> {
    // Let items submitted in the same tick join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#maxBatch);
      try {
        const results = await this.#write(batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results[index]!));
      } catch (error) {
        batch.forEach((entry) => entry.reject(error));
      }
    }
    this.#writing = undefined;
  }
}
