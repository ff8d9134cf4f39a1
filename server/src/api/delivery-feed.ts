import { EventEmitter } from "node:events";
import type { Logger } from "../observability/logger.js";
import type { Store } from "../store/database.js";
import type { AttemptRow, DeliveryRow } from "../store/rows.js";

/** One finished attempt and the delivery as it stands after it. */
export interface AttemptFinished {
  delivery: DeliveryRow;
  attempt: AttemptRow;
}

/**
 * Attempt outcomes for WatchDeliveries streams. Workers publish the ids of recorded attempts;
 * a process with watchers loads those attempts and their deliveries (one query per batch of
 * ids) and streams them, so nothing is loaded while nobody watches and the delivery loop never
 * reads rows back for it. On PostgreSQL the API and the workers may be different processes,
 * so ids travel by NOTIFY and watching processes LISTEN (re-established by the store after the
 * connection is lost; ids NOTIFYed meanwhile are missed); on PGlite (one process) they are
 * handed over in memory.
 */
export class DeliveryFeed {
  readonly #emitter = new EventEmitter().setMaxListeners(0);
  readonly #store: Store;
  readonly #logger: Logger;
  #listening: Promise<void> | undefined;
  #unannounced: string[] = [];
  #announcing = false;

  constructor(store: Store, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /** Called by workers after an attempt is recorded; ids are sent on in batches. */
  publish(attemptId: string): void {
    this.#unannounced.push(attemptId);
    if (!this.#announcing) {
      this.#announcing = true;
      setImmediate(() => void this.#announce());
    }
  }

  /** Calls `listener` for each outcome until the returned function is called. */
  subscribe(listener: (outcome: AttemptFinished) => void): () => void {
    const channel = this.#store.attemptChannel;
    if (channel && !this.#listening) {
      this.#listening = channel.listenAttempts((ids) => void this.#load(ids)).catch((error: unknown) => {
        this.#listening = undefined;
        this.#logger.error({ err: error }, "cannot LISTEN for attempts; WatchDeliveries streams get nothing");
      });
    }
    this.#emitter.on("attempt", listener);
    return () => this.#emitter.off("attempt", listener);
  }

  async #announce(): Promise<void> {
    const ids = this.#unannounced;
    this.#unannounced = [];
    this.#announcing = false;
    const channel = this.#store.attemptChannel;
    if (!channel) return this.#load(ids);
    await channel.notifyAttempts(ids).catch((error: unknown) => {
      // An unreachable database is logged once by the store's availability monitor.
      if (!this.#store.availability.reportFailure(error)) this.#logger.warn({ err: error }, "NOTIFY of attempts failed; watchers miss them");
    });
  }

  async #load(ids: string[]): Promise<void> {
    if (this.#emitter.listenerCount("attempt") === 0) return;
    try {
      const attempts = await this.#store.db.selectFrom("attempts").selectAll().where("id", "in", ids).orderBy("started_at").execute();
      if (attempts.length === 0) return;
      const deliveries = await this.#store.db
        .selectFrom("deliveries")
        .selectAll()
        .where("id", "in", [...new Set(attempts.map((a) => a.delivery_id))])
        .execute();
      const byId = new Map(deliveries.map((d) => [d.id, d]));
      for (const attempt of attempts) {
        const delivery = byId.get(attempt.delivery_id);
        if (delivery) this.#emitter.emit("attempt", { delivery, attempt });
      }
    } catch (error) {
      if (!this.#store.availability.reportFailure(error)) this.#logger.warn({ err: error }, "loading announced attempts failed");
    }
  }
}
