/**
 * The clock every piece of server code asks for "now". Injected so that tests can move time
 * (the only thing tests fake); SQL receives "now" as a parameter for the same reason.
 */
export interface Clock {
  /** Current time in milliseconds since the Unix epoch. */
  nowMs(): number;
}

/** The real clock, backed by `Date.now()`. */
export const systemClock: Clock = { nowMs: () => Date.now() };
