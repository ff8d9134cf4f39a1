import type { Config } from "../config/config.js";
import type { Clock } from "../domain/clock.js";
import { judgeFailingSpell, mayChangeVerdict, type FailingSpell } from "../domain/endpoint-health-rule.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { Store } from "../store/database.js";
import { autoDisableEndpoint, warnFailingEndpoint } from "../store/endpoint-health-transitions.js";
import { ensurePartitionsFor } from "../store/partitions.js";
import { countFailedAttempts } from "../store/sql/count-failed-attempts.js";
import { listFailingSubscriptions, type FailingSubscription } from "../store/sql/list-failing-subscriptions.js";
import { runEvery } from "./background-task.js";

/** The settings the health check reads. */
export type EndpointHealthConfig = Pick<
  Config,
  | "endpointWarnAfterHours"
  | "endpointDisableAfterHours"
  | "endpointDisableMinAttempts"
  | "operationalCustomerId"
  | "retrySchedule"
  | "retryJitter"
  | "attemptTimeoutMs"
>;

export interface EndpointHealthDeps {
  store: Store;
  config: EndpointHealthConfig;
  clock: Clock;
  logger: Logger;
  metrics: Pick<Metrics, "subscriptionsDisabled" | "endpointsWarned">;
  /** Called after a commit that made deliveries due (operational events): wake the workers. */
  onDue: () => void;
}

/** What one health check did. */
export interface HealthCheckOutcome {
  /** Subscriptions in a spell of at least the warning period, looked at. */
  looked: number;
  /** Ids warned about (`endpoint.failing`). */
  warned: string[];
  /** Ids disabled. */
  disabled: string[];
}

/** How often the health check runs, ms. */
const CHECK_EVERY_MS = 60_000;
/** Most subscriptions one check looks at (the longest failing first; the rest wait a minute). */
const CHECK_LIMIT = 500;

/**
 * One health check at `clock.now()`: each enabled subscription failing for at least
 * `endpointWarnAfterHours` gets its failed attempts counted and the rule applied
 * (domain/endpoint-health-rule.ts): warned (`endpoint.failing`) or disabled (`endpoint.disabled`,
 * pending deliveries canceled), each subscription's change and its event in one transaction,
 * guarded so that checks running at once in several processes warn or disable once
 * (`takeFailingSubscription`). Logs a warning line per warning and per disable. Exported for
 * tests, which call it with a fake clock.
 */
export async function checkEndpointHealth(deps: EndpointHealthDeps): Promise<HealthCheckOutcome> {
  const { store, config, clock, logger, metrics } = deps;
  const now = new Date(clock.nowMs());
  const outcome: HealthCheckOutcome = { looked: 0, warned: [], disabled: [] };
  const candidates = await listFailingSubscriptions(store.db, new Date(now.getTime() - config.endpointWarnAfterHours * 3_600_000), CHECK_LIMIT);
  outcome.looked = candidates.length;
  if (candidates.length === 0) return outcome;
  // The longest a delivery is retried: its attempts may fall in a spell that began after it was created.
  const retriedForMs = config.retrySchedule.reduce((sum, s) => sum + s, 0) * 1000 * (1 + config.retryJitter) + config.attemptTimeoutMs;
  await ensurePartitionsFor(store.db, [now]);
  let madeDue = 0;
  for (const subscription of candidates) {
    if (!mayChangeVerdict({ failingSince: subscription.failing_since, warnedAt: subscription.failing_warned_at }, now, config)) continue;
    const failed = await countFailedAttempts(
      store.db,
      subscription.id,
      subscription.failing_since,
      new Date(subscription.failing_since.getTime() - retriedForMs),
    );
    const spell: FailingSpell = {
      failingSince: subscription.failing_since,
      warnedAt: subscription.failing_warned_at,
      failedAttempts: failed.count,
      lastFailedAt: failed.lastStartedAt,
    };
    const verdict = judgeFailingSpell(spell, now, config);
    if (verdict === "none") continue;
    madeDue += await store.db.transaction().execute(async (trx) => {
      if (verdict === "warn") {
        const due = await warnFailingEndpoint(trx, subscription, spell, config, config.operationalCustomerId, now);
        if (due !== undefined) outcome.warned.push(subscription.id);
        return due ?? 0;
      }
      const disabled = await autoDisableEndpoint(trx, subscription, spell, config, config.operationalCustomerId, now);
      if (disabled === undefined) return 0;
      outcome.disabled.push(subscription.id);
      logDisabled(logger, subscription, disabled.reason, disabled.canceled);
      return disabled.madeDue;
    });
    if (outcome.warned.at(-1) === subscription.id) logWarned(logger, subscription, spell);
  }
  metrics.endpointsWarned.inc(outcome.warned.length);
  metrics.subscriptionsDisabled.inc(outcome.disabled.length);
  if (madeDue > 0) deps.onDue();
  return outcome;
}

function logWarned(logger: Logger, subscription: FailingSubscription, spell: FailingSpell): void {
  logger.warn(
    { subscription_id: subscription.id, customer_id: subscription.customer_id, failing_since: spell.failingSince.toISOString(), failed_attempts: spell.failedAttempts },
    "endpoint failing: every attempt failed since failing_since; endpoint.failing sent",
  );
}

function logDisabled(logger: Logger, subscription: FailingSubscription, reason: string, canceled: number): void {
  logger.warn(
    { subscription_id: subscription.id, customer_id: subscription.customer_id, reason, canceled_deliveries: canceled },
    "subscription disabled for failing: pending deliveries canceled; endpoint.disabled sent",
  );
}

/**
 * Runs the health check (`checkEndpointHealth`) at start and then every minute, in the worker
 * processes. Modes: `stopped` (not started, or stopped), `waiting` (between checks), `checking`
 * (a check runs; a tick that comes meanwhile is skipped, so checks never overlap). While the
 * database is unreachable it skips its turn.
 */
export class EndpointHealthMonitor {
  readonly #deps: EndpointHealthDeps;
  #timer: NodeJS.Timeout | undefined;
  #mode: "stopped" | "waiting" | "checking" = "stopped";

  constructor(deps: EndpointHealthDeps) {
    this.#deps = deps;
  }

  get mode(): "stopped" | "waiting" | "checking" {
    return this.#mode;
  }

  /** Starts checking; resolves after a first check (which may reject). */
  async start(): Promise<void> {
    this.#mode = "waiting";
    this.#timer = runEvery(CHECK_EVERY_MS, "endpoint health check", () => this.check(), this.#deps.logger);
    await this.check();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#mode = "stopped";
  }

  /** One check, unless one is running, the monitor is stopped or the database is unreachable. */
  async check(): Promise<HealthCheckOutcome | undefined> {
    if (this.#mode !== "waiting" || !this.#deps.store.availability.up) return undefined;
    this.#mode = "checking";
    try {
      return await checkEndpointHealth(this.#deps);
    } finally {
      if (this.#mode === "checking") this.#mode = "waiting";
    }
  }
}
