import type { Logger } from "../observability/logger.js";
import type { Store } from "../store/database.js";

/** PostgreSQL channel for "deliveries are due" notifications (no payload). */
export const DUE_CHANNEL = "posthorn_deliveries_due";

/**
 * The "deliveries are due" signal: an emit, a RetryDelivery or a RecoverFailedDeliveries made
 * deliveries due now, so workers should look for them before their next poll. Workers in this
 * process hear it at once; on PostgreSQL, workers of every other process on the database hear
 * it through NOTIFY (and once more after their LISTEN connection was lost and is back, since
 * deliveries may have become due meanwhile). On PGlite only this process writes, so the
 * in-process call is all there is. A missed signal only delays: workers poll anyway.
 */
export class DueSignal {
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #local = new Set<() => void>();
  #notifying: Promise<void> | undefined;
  #notifyAgain = false;

  constructor(store: Store, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /** Deliveries are due now: wakes this process's listeners and tells the other processes. Never throws. */
  announce(): void {
    this.#local.forEach((listener) => listener());
    if (this.#store.notifications) this.#notify().catch((error) => this.#logger.warn({ err: error }, "NOTIFY failed"));
  }

  /**
   * Calls `onDue` whenever deliveries become due (this process's announcements and, on
   * PostgreSQL, every process's) until the returned function is called.
   */
  async listen(onDue: () => void): Promise<() => void> {
    const notifications = this.#store.notifications;
    const unlisten = await notifications?.listen(DUE_CHANNEL, {
      onNotification: onDue,
      onReconnected: () => {
        this.#logger.debug({ channel: DUE_CHANNEL }, "LISTEN connection back; looking for deliveries due meanwhile");
        onDue();
      },
    });
    this.#local.add(onDue);
    return () => {
      this.#local.delete(onDue);
      unlisten?.();
    };
  }

  /** Coalesced: announcements made while one NOTIFY is in flight are answered by a single next one. */
  #notify(): Promise<void> {
    if (this.#notifying) {
      this.#notifyAgain = true;
      return this.#notifying;
    }
    this.#notifying = (async () => {
      do {
        this.#notifyAgain = false;
        await this.#store.notifications!.notify(DUE_CHANNEL);
      } while (this.#notifyAgain);
    })().finally(() => (this.#notifying = undefined));
    return this.#notifying;
  }
}
