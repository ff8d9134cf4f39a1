import type { Logger } from "../observability/logger.js";
import { isDatabaseUnavailable } from "../store/availability.js";

/**
 * Runs `task` without waiting for it; a failure is logged as "<what> failed" (warn), except an
 * unreachable database, which the availability monitor reports once (not per tick).
 */
export function runInBackground(what: string, task: () => Promise<unknown>, logger: Logger): void {
  void task().catch((error: unknown) => {
    if (!isDatabaseUnavailable(error)) logger.warn({ err: error }, `${what} failed`);
  });
}

/** Runs `task` in the background every `intervalMs` (an unref'd timer); see `runInBackground`. */
export function runEvery(intervalMs: number, what: string, task: () => Promise<unknown>, logger: Logger): NodeJS.Timeout {
  return setInterval(() => runInBackground(what, task, logger), intervalMs).unref();
}
