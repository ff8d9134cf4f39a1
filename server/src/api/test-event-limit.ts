import { ResourceExhaustedError } from "../domain/errors.js";

/** Test events one subscription may get per window, per server process (proto `SendTestEvent`). */
export const TEST_EVENTS_PER_WINDOW = 10;
/** The window of {@link TEST_EVENTS_PER_WINDOW}, in milliseconds. */
export const TEST_EVENT_WINDOW_MS = 60_000;

/**
 * How many test events each subscription got lately, so that a customer key (a portal session)
 * cannot make this server send an endless stream of signed requests to any URL by calling
 * SendTestEvent in a loop: at most `TEST_EVENTS_PER_WINDOW` per subscription in any
 * `TEST_EVENT_WINDOW_MS` (a sliding window). In memory, per process: with N processes a caller
 * gets at most N times the limit, which is enough to stop a loop. Real events are not limited here.
 */
export class TestEventLimit {
  /** Times (ms) of each subscription's test events inside the window, oldest first. */
  readonly #recent = new Map<string, number[]>();

  /**
   * Counts one test event to `subscriptionId` at `nowMs`.
   * @throws ResourceExhaustedError (nothing counted) when the subscription is at the limit.
   */
  take(subscriptionId: string, nowMs: number): void {
    this.#forgetBefore(nowMs - TEST_EVENT_WINDOW_MS);
    const times = this.#recent.get(subscriptionId) ?? [];
    if (times.length >= TEST_EVENTS_PER_WINDOW) {
      const waitS = Math.ceil((times[0]! + TEST_EVENT_WINDOW_MS - nowMs) / 1000);
      throw new ResourceExhaustedError(
        `subscription "${subscriptionId}" got ${TEST_EVENTS_PER_WINDOW} test events in the last ${TEST_EVENT_WINDOW_MS / 1000} s, the most allowed; try again in ${waitS} s`,
      );
    }
    times.push(nowMs);
    this.#recent.set(subscriptionId, times);
  }

  /** Drops the times at or before `cutoffMs`, and subscriptions left with none (the map stays small). */
  #forgetBefore(cutoffMs: number): void {
    for (const [id, times] of this.#recent) {
      while (times.length > 0 && times[0]! <= cutoffMs) times.shift();
      if (times.length === 0) this.#recent.delete(id);
    }
  }
}
