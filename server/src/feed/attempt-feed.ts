import { EventEmitter } from "node:events";
import type { Logger } from "../observability/logger.js";
import type { Store } from "../store/database.js";
import { loadRecordedAttempts, type RecordedAttemptRow } from "../store/sql/load-recorded-attempts.js";

/** One finished attempt and the delivery as it stands after it. */
export type AttemptFinished = RecordedAttemptRow;

/** PostgreSQL channel for recorded attempt ids (comma-separated). */
export const ATTEMPTS_CHANNEL = "posthorn_attempts";
/** NOTIFY payloads must stay under 8,000 bytes: ids of 28 characters + a comma each. */
const IDS_PER_NOTIFY = 250;

/**
 * The "attempt recorded" signal, for WatchDeliveries streams. Workers publish the ids of
 * recorded attempts; a process with watchers loads those attempts and their deliveries (one
 * query per batch of ids) and streams them, so nothing is loaded while nobody watches and the
 * delivery loop never reads rows back for it. On PostgreSQL the API and the workers may be
 * different processes, so ids travel by NOTIFY on `ATTEMPTS_CHANNEL` and watching processes
 * LISTEN (re-established by the store after the connection is lost; ids NOTIFYed meanwhile are
 * missed); on PGlite (one process) they are handed over in memory.
 */
export class AttemptFeed {
  readonly #emitter = new EventEmitter().setMaxListeners(0);
  readonly #store: Store;
  readonly #logger: Logger;
  #listening: Promise<unknown> | undefined;
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
    const notifications = this.#store.notifications;
    if (notifications && !this.#listening) {
      this.#listening = notifications
        .listen(ATTEMPTS_CHANNEL, {
          onNotification: (payload) => {
            if (payload) void this.#load(payload.split(","));
          },
          onReconnected: () => this.#logger.debug({ channel: ATTEMPTS_CHANNEL }, "LISTEN connection back; attempts announced meanwhile were not streamed to watchers"),
        })
        .catch((error: unknown) => {
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
    const notifications = this.#store.notifications;
    if (!notifications) return this.#load(ids);
    try {
      for (let i = 0; i < ids.length; i += IDS_PER_NOTIFY) {
        await notifications.notify(ATTEMPTS_CHANNEL, ids.slice(i, i + IDS_PER_NOTIFY).join(","));
      }
    } catch (error) {
      // An unreachable database is logged once by the store's availability monitor.
      if (!this.#store.availability.reportFailure(error)) this.#logger.warn({ err: error }, "NOTIFY of attempts failed; watchers miss them");
    }
  }

  async #load(ids: string[]): Promise<void> {
    if (this.#emitter.listenerCount("attempt") === 0) return;
    try {
      for (const outcome of await loadRecordedAttempts(this.#store.db, ids)) this.#emitter.emit("attempt", outcome);
    } catch (error) {
      if (!this.#store.availability.reportFailure(error)) this.#logger.warn({ err: error }, "loading announced attempts failed");
    }
  }
}
