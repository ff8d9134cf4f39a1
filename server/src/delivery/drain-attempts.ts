import type { Logger } from "../observability/logger.js";
import type { AttemptSlots } from "./attempt-slots.js";

/** How long aborted attempts may take to be recorded at shutdown, ms. */
export const ABORTED_RECORD_GRACE_MS = 800;

export interface DrainOptions {
  /** How long attempts in flight may run before they are aborted, ms (`shutdownTimeoutMs`). */
  timeoutMs: number;
  logger: Logger;
  /** Called when aborted attempts could not all be recorded within `ABORTED_RECORD_GRACE_MS`. */
  giveUpRecording: () => void;
}

/**
 * Lets the attempts in flight finish for up to `timeoutMs`, then aborts the rest (recorded as
 * `shutdown`, retried per the schedule) and waits up to `ABORTED_RECORD_GRACE_MS` for their
 * records; what is still unrecorded then is left to the sweeper (its leases run out). Never
 * rejects; resolves to how many attempts were aborted. Keep the lease heartbeat running meanwhile.
 */
export async function drainAttempts(slots: AttemptSlots, { timeoutMs, logger, giveUpRecording }: DrainOptions): Promise<number> {
  if (slots.running > 0) {
    logger.info({ in_flight: slots.running, timeout_ms: timeoutMs }, "waiting for attempts in flight to finish");
  }
  const timedOut = await Promise.race([slots.settled().then(() => false), resolveAfter(timeoutMs, true)]);
  if (!timedOut || slots.running === 0) return 0;
  const aborted = slots.running;
  logger.warn({ aborted }, "shutdown deadline passed; aborting attempts in flight (recorded as shutdown, retried per the schedule)");
  slots.abortAll();
  const recorded = await Promise.race([slots.settled().then(() => true), resolveAfter(ABORTED_RECORD_GRACE_MS, false)]);
  if (!recorded) {
    giveUpRecording();
    logger.warn(
      { unrecorded: slots.running },
      "could not record every aborted attempt in time; their leases run out and they are recorded as abandoned",
    );
  }
  return aborted;
}

/** Resolves to `value` after `ms` (an unref'd timer: it never holds the process). */
function resolveAfter<T>(ms: number, value: T): Promise<T> {
  return new Promise<T>((resolve) => setTimeout(() => resolve(value), ms).unref());
}
