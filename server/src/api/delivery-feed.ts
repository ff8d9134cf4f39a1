import { EventEmitter } from "node:events";
import type { AttemptRow, DeliveryRow } from "../store/rows.js";

/** One finished attempt and the delivery as it stands after it. */
export interface AttemptFinished {
  delivery: DeliveryRow;
  attempt: AttemptRow;
}

/**
 * In-process fan-out of attempt outcomes from this process's workers to WatchDeliveries
 * streams. (With several processes, a stream sees the attempts of the process it is connected
 * to; run API and workers together, or watch through each worker process.)
 */
export class DeliveryFeed {
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  publish(outcome: AttemptFinished): void {
    if (this.#emitter.listenerCount("attempt") > 0) this.#emitter.emit("attempt", outcome);
  }

  /** Calls `listener` for each outcome until the returned function is called. */
  subscribe(listener: (outcome: AttemptFinished) => void): () => void {
    this.#emitter.on("attempt", listener);
    return () => this.#emitter.off("attempt", listener);
  }
}
