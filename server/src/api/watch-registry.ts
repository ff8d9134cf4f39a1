import type { Authenticator } from "../auth/authenticator.js";
import type { Caller } from "../auth/caller.js";
import type { UnauthenticatedError } from "../domain/errors.js";
import type { Logger } from "../observability/logger.js";
import type { DatabaseAvailability } from "../store/availability.js";

/**
 * How often (ms) the keys of open WatchDeliveries streams are looked up again by default: a
 * stream whose key was revoked (in any process) or has expired ends UNAUTHENTICATED within
 * about this long. A revocation made through this process ends its streams at once.
 */
export const DEFAULT_WATCH_KEY_CHECK_MS = 10_000;

/** One open WatchDeliveries stream, of either transport (gRPC or Connect). */
export interface OpenWatch {
  /** Who opened it (the key is looked up again while it is open). */
  caller: Caller;
  /** The client's address for the log; "" when no longer known. */
  peer(): string;
  /**
   * Ends the stream: OK without `refusal` (shutdown), else with the refusal's UNAUTHENTICATED
   * error (its key no longer works). Must not throw when the client went away meanwhile.
   */
  end(refusal?: UnauthenticatedError): void;
}

/**
 * The open WatchDeliveries streams of this process and their key checks: a stream authenticates
 * once, at its start, so its key is looked up again every `checkMs` milliseconds and after each
 * RevokeApiKey (`check`); a stream whose key was revoked (in any process), has expired or is
 * gone ends UNAUTHENTICATED. `stop` (shutdown) ends every stream OK and refuses new ones.
 */
export class WatchRegistry {
  private readonly open = new Set<OpenWatch>();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly deps: { authenticator: Authenticator; availability: DatabaseAvailability; logger: Logger },
    checkMs: number,
  ) {
    this.timer = setInterval(() => void this.check(), checkMs);
    this.timer.unref();
  }

  /** True once `stop` was called: new streams end at once. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Registers `watch`; false (not registered) while stopping, when the caller should end it at once. */
  add(watch: OpenWatch): boolean {
    if (this.stopped) return false;
    this.open.add(watch);
    return true;
  }

  /** Forgets `watch` (it ended by itself: client gone, error). */
  remove(watch: OpenWatch): void {
    this.open.delete(watch);
  }

  /**
   * Ends every open stream whose key no longer works with its UNAUTHENTICATED error. One query.
   * Never rejects: while the database cannot answer, streams stay open until a later check can.
   */
  async check(): Promise<void> {
    if (this.open.size === 0) return;
    const { authenticator, availability, logger } = this.deps;
    try {
      const refused = await authenticator.refusals([...this.open].map((watch) => watch.caller.keyId));
      for (const watch of this.open) {
        const refusal = refused.get(watch.caller.keyId);
        if (!refusal) continue;
        this.open.delete(watch);
        logger.warn({ reason: refusal.reason, key_id: watch.caller.keyId, peer: watch.peer() }, "watch ended: its API key no longer works");
        watch.end(refusal);
      }
    } catch (error) {
      availability.reportFailure(error);
      logger.warn({ err: error }, "could not check the API keys of open watches; checking again later");
    }
  }

  /** Shutdown: stops the periodic check, ends every open stream (OK) and refuses new ones. Idempotent. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const watch of this.open) watch.end();
    this.open.clear();
  }
}
