import pg from "pg";

/**
 * A connection of its own for the availability probe's `SELECT 1`, outside the pool, so a busy
 * pool never delays the answer and a probe never waits for a pool slot. Opened on first use and
 * again after any failure; each probe (connect included) gives up after the connect timeout.
 */
export class ProbeConnection {
  readonly #config: pg.ClientConfig;
  #client: pg.Client | undefined;
  /** Errors of the open connection between probes (e.g. the server terminated it). */
  onError: (error: Error) => void = () => {};

  constructor(config: pg.ClientConfig) {
    this.#config = config;
  }

  /** Resolves when the database answered `SELECT 1`; rejects with why it did not. */
  async selectOne(): Promise<void> {
    const timeoutMs = this.#config.connectionTimeoutMillis ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`database probe timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.#query(), timedOut]);
    } catch (error) {
      this.#drop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #query(): Promise<void> {
    if (!this.#client) {
      const client = new pg.Client({ ...this.#config, application_name: `${this.#config.application_name ?? "posthorn"}-probe` });
      client.on("error", (error) => {
        if (client !== this.#client) return;
        this.#drop();
        this.onError(error);
      });
      this.#client = client;
      await client.connect();
    }
    await this.#client.query("SELECT 1");
  }

  #drop(): void {
    const client = this.#client;
    this.#client = undefined;
    void client?.end().catch(() => {});
  }
}
