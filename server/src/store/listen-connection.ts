import pg from "pg";
import type { DatabaseAvailability } from "./availability.js";

export interface ListenConnectionOptions {
  /** Connection settings (a connection of its own, outside the pool: it is held for good). */
  config: pg.ClientConfig;
  availability: DatabaseAvailability;
  onNotification: (channel: string, payload: string | undefined) => void;
  /** Called after the connection was lost and is LISTENing again (notifications may have been missed). */
  onReconnected: () => void;
  /** Errors that are not "database unreachable" (those go to `availability`); must not throw. */
  onError: (error: unknown) => void;
  firstRetryMs: number;
  maxRetryMs: number;
}

/**
 * The one PostgreSQL connection that LISTENs, for every channel asked for. When it is lost
 * (restart, terminated backend, network), it reconnects with backoff — at once when the
 * database is seen up again — and re-LISTENs every channel. Modes: `idle` (no channel yet),
 * `connecting`, `listening`, `waiting` (to reconnect), `closed`.
 */
export class ListenConnection {
  readonly #options: ListenConnectionOptions;
  readonly #channels = new Set<string>();
  readonly #unwatch: () => void;
  #mode: "idle" | "connecting" | "listening" | "waiting" | "closed" = "idle";
  #client: pg.Client | undefined;
  #connecting: Promise<void> = Promise.resolve();
  #retryMs: number;
  #timer: NodeJS.Timeout | undefined;
  #connectedBefore = false;

  constructor(options: ListenConnectionOptions) {
    this.#options = options;
    this.#retryMs = options.firstRetryMs;
    this.#unwatch = options.availability.onChange((up) => {
      if (up && this.#mode === "waiting") {
        clearTimeout(this.#timer);
        this.#connect();
      }
    });
  }

  /**
   * LISTENs on `channel` from now on, across reconnects. Resolves once the LISTEN is in place,
   * or, when the database cannot be reached, once a reconnect is scheduled (it is LISTENed on then).
   */
  async listen(channel: string): Promise<void> {
    if (this.#mode === "closed" || this.#channels.has(channel)) return;
    this.#channels.add(channel);
    if (this.#mode === "listening") {
      const client = this.#client!;
      await client.query(`LISTEN ${channel}`).catch((error: unknown) => this.#lost(client, error));
    } else if (this.#mode === "idle") this.#connect();
    // While connecting, the connect loop LISTENs on channels added meanwhile too.
    await this.#connecting;
  }

  async close(): Promise<void> {
    this.#mode = "closed";
    clearTimeout(this.#timer);
    this.#unwatch();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #connect(): void {
    this.#mode = "connecting";
    this.#connecting = (async () => {
      const client = new pg.Client(this.#options.config);
      client.on("error", (error) => this.#lost(client, error));
      client.on("end", () => this.#lost(client, new Error("Connection terminated")));
      client.on("notification", (message) => this.#options.onNotification(message.channel, message.payload));
      try {
        await client.connect();
        // A Set iterates over members added while iterating: channels asked for meanwhile are included.
        for (const channel of this.#channels) await client.query(`LISTEN ${channel}`);
      } catch (error) {
        void client.end().catch(() => {});
        if (this.#mode !== "closed") this.#failed(error);
        return;
      }
      if (this.#mode === "closed") {
        void client.end().catch(() => {});
        return;
      }
      this.#client = client;
      this.#mode = "listening";
      this.#retryMs = this.#options.firstRetryMs;
      if (this.#connectedBefore) this.#options.onReconnected();
      this.#connectedBefore = true;
    })();
  }

  #lost(client: pg.Client, error: unknown): void {
    if (client !== this.#client || this.#mode !== "listening") return;
    this.#client = undefined;
    void client.end().catch(() => {});
    this.#failed(error);
  }

  #failed(error: unknown): void {
    if (!this.#options.availability.reportFailure(error)) this.#options.onError(error);
    this.#mode = "waiting";
    this.#timer = setTimeout(() => this.#connect(), this.#retryMs).unref();
    this.#retryMs = Math.min(this.#options.maxRetryMs, this.#retryMs * 2);
  }
}
