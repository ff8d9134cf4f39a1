import type { Logger } from "../observability/logger.js";
import type { DatabaseAvailability } from "../store/availability.js";
import { isDatabaseUnavailable } from "../store/availability.js";

/** How close together (ms) two `wakeAfter` wake-ups may be and still share one timer. */
const WAKE_GRANULARITY_MS = 5;

/**
 * The claim loop's modes:
 * - `running`: claims due deliveries and sends them;
 * - `paused`: the database is unreachable; nothing is claimed or sent until it answers again
 *   (attempts already sent keep trying to record their outcome);
 * - `draining`: stopping; no claims, attempts in flight finish or are aborted at the deadline;
 * - `stopped`.
 */
export type ClaimLoopMode = "stopped" | "running" | "paused" | "draining";

/** What one claim did. */
export interface ClaimOutcome {
  /** Deliveries claimed. */
  claimed: number;
  /**
   * Whether deliveries due now may have been left out: the claim took as many as it could
   * (free slots, the batch size, or an endpoint's room), left out endpoints at their limit, or
   * gave some back.
   */
  more: boolean;
}

export interface ClaimLoopOptions {
  /** Claims what can start now and starts it. */
  claim: () => Promise<ClaimOutcome>;
  /** Attempts in flight now. */
  inFlight: () => number;
  /** Most attempts in flight at once (a full batch is followed by another claim only below it). */
  maxConcurrency: number;
  /** Most deliveries one claim takes. */
  claimBatchSize: number;
  /** How long to wait between claims when nothing woke the loop, ms. */
  pollIntervalMs: number;
  availability: DatabaseAvailability;
  logger: Logger;
}

/**
 * Claims due deliveries: at once after a wake-up (an emit, the sweeper, a finished attempt when
 * the last claim may have left due deliveries out), again at once after a full batch while slots
 * are free, otherwise every `pollIntervalMs`. A finished attempt does not wake the loop when the
 * last claim took everything due: under a steady load of deliveries handed off at emit
 * (delivery/local-handoff.ts) that would be one empty claim per attempt. Wake-ups
 * that arrive while a claim runs are batched into one next claim. Pauses while the database is
 * unreachable and resumes (and looks for work) when it answers.
 */
export class ClaimLoop {
  readonly #options: ClaimLoopOptions;
  #mode: ClaimLoopMode = "stopped";
  #loop: Promise<void> | undefined;
  /** Ends the current wait between claims early. */
  #endWait: (() => void) | undefined;
  /** A wake-up that no claim has answered yet. */
  #wakePending = false;
  #lastClaimWasEmpty = false;
  /** The last claim may have left due deliveries out (`ClaimOutcome.more`): a freed slot should look again. */
  #moreDue = true;
  #idleWaiters: (() => void)[] = [];
  #unwatchAvailability: (() => void) | undefined;
  /** The pending `wakeAfter` timers, by when they fire (real time, in `WAKE_GRANULARITY_MS` units). */
  readonly #timedWakes = new Map<number, NodeJS.Timeout>();

  constructor(options: ClaimLoopOptions) {
    this.#options = options;
  }

  get mode(): ClaimLoopMode {
    return this.#mode;
  }

  /**
   * Enters `running` (`paused` when the database is unreachable), waits for `prepare` (what must be
   * in place before the first claim), then claims until drained; resolves once claiming began.
   */
  async start(prepare: () => Promise<void>): Promise<void> {
    const { availability } = this.#options;
    this.#mode = availability.up ? "running" : "paused";
    this.#unwatchAvailability = availability.onChange((up) => this.#onAvailability(up));
    await prepare();
    this.#loop = this.#run();
  }

  /** Look for due deliveries now. */
  wake(): void {
    this.#wakePending = true;
    this.#lastClaimWasEmpty = false;
    this.#endWait?.();
  }

  /**
   * Look for due deliveries in `ms` (also when something else woke the loop before): a delivery
   * given back until then (a rate-limit slot) is due then, sooner than the next poll may come.
   * Wake-ups within `WAKE_GRANULARITY_MS` of one another share one timer, so there are about as
   * many timers as rate-limited subscriptions with deliveries waiting.
   */
  wakeAfter(ms: number): void {
    const delay = Math.max(0, Math.ceil(ms / WAKE_GRANULARITY_MS) * WAKE_GRANULARITY_MS);
    const key = Math.ceil((Date.now() + delay) / WAKE_GRANULARITY_MS);
    if (this.#timedWakes.has(key) || this.#mode !== "running") return;
    const timer = setTimeout(() => {
      this.#timedWakes.delete(key);
      if (this.#mode === "running") this.wake();
    }, delay);
    timer.unref();
    this.#timedWakes.set(key, timer);
  }

  /** Resolves once nothing is due now or in flight (or the loop stopped). */
  idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#idleWaiters.push(resolve);
      this.wake();
    });
  }

  /** An attempt finished: its slot is free again, so look for more if the last claim left some out. */
  attemptFinished(): void {
    if (this.#mode === "running" && this.#moreDue) this.wake();
    this.#checkIdle();
  }

  /** Enters `draining`: no more claims; resolves when the claim under way (if any) ended. */
  async drain(): Promise<void> {
    this.#mode = "draining";
    this.#timedWakes.forEach((timer) => clearTimeout(timer));
    this.#timedWakes.clear();
    this.#unwatchAvailability?.();
    this.#endWait?.();
    await this.#loop;
  }

  /** Enters `stopped` (after the attempts in flight were drained); pending `idle()` calls resolve. */
  stopped(): void {
    this.#mode = "stopped";
    this.#idleWaiters.forEach((resolve) => resolve());
    this.#idleWaiters = [];
  }

  async #run(): Promise<void> {
    const { claim, inFlight, maxConcurrency, claimBatchSize, pollIntervalMs, logger } = this.#options;
    while (this.#mode === "running" || this.#mode === "paused") {
      this.#wakePending = false;
      let claimed = 0;
      if (this.#mode === "running") {
        try {
          const outcome = await claim();
          claimed = outcome.claimed;
          this.#moreDue = outcome.more;
        } catch (error) {
          this.#moreDue = true;
          if (!isDatabaseUnavailable(error)) {
            logger.error({ err: error }, "claiming deliveries failed; retrying after the poll interval");
          }
        }
      }
      this.#lastClaimWasEmpty = claimed === 0;
      this.#checkIdle();
      if (this.#mode !== "running" && this.#mode !== "paused") break;
      // A full batch suggests more is due: claim again at once if there is a free slot.
      if (claimed === claimBatchSize && inFlight() < maxConcurrency) continue;
      if (this.#wakePending && this.#mode === "running") continue;
      await this.#wait(pollIntervalMs);
    }
  }

  /** Waits `ms`, or until `wake()`. */
  #wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#endWait = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#endWait = done;
    });
  }

  #checkIdle(): void {
    if (this.#lastClaimWasEmpty && this.#options.inFlight() === 0 && !this.#wakePending) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  }

  /** Pauses while the database is unreachable; resumes (and looks for work) when it answers. */
  #onAvailability(up: boolean): void {
    if (up && this.#mode === "paused") {
      this.#mode = "running";
      this.#options.logger.info("delivery workers resumed");
      this.wake();
    } else if (!up && this.#mode === "running") {
      this.#mode = "paused";
      this.#options.logger.warn(
        { in_flight: this.#options.inFlight() },
        "delivery workers paused: nothing is claimed or sent until the database answers",
      );
    }
  }
}
