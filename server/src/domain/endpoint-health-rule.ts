/**
 * The endpoint health rule (issue 15; like Svix, which disables an endpoint after 5 days of
 * failure and warns before): from a subscription's failing spell, whether to warn
 * (`endpoint.failing`) or to disable it. Pure; the health check (delivery/endpoint-health-monitor.ts)
 * applies it.
 */

/** The settings of the rule (Config `endpoint*`). */
export interface EndpointHealthSettings {
  /** Hours of failing before the warning. */
  endpointWarnAfterHours: number;
  /** Hours of failing before the disable; 0: never disabled for failing. */
  endpointDisableAfterHours: number;
  /** Failed attempts the spell must hold before the disable. */
  endpointDisableMinAttempts: number;
}

/** A failing spell as the health check found it. */
export interface FailingSpell {
  failingSince: Date;
  /** When `endpoint.failing` went out for this spell; null: not yet. */
  warnedAt: Date | null;
  /** Failed attempts since `failingSince` (see `countFailedAttempts`). */
  failedAttempts: number;
  /** Start of the latest failed attempt; null: none counted. */
  lastFailedAt: Date | null;
}

export type EndpointHealthVerdict = "none" | "warn" | "disable";

const HOUR_MS = 3_600_000;
/** The latest failed attempt must be this recent (or the last fifth of a shorter window). */
const SPREAD_MS = 24 * HOUR_MS;

/**
 * How recent the latest failed attempt must be for the disable, ms: the last 24 h of the window,
 * or its last fifth when the window is shorter than 5 days. This is "spread over the window":
 * an endpoint that got one burst of attempts and then no traffic is not disabled days later for
 * that burst alone; it is disabled only when it is still failing now.
 */
export function disableRecencyMs(disableAfterHours: number): number {
  return Math.min(SPREAD_MS, (disableAfterHours * HOUR_MS) / 5);
}

/**
 * The verdict for one spell at `now`:
 * - `disable` when auto-disable is on (`endpointDisableAfterHours` > 0), the spell has lasted
 *   that long, holds at least `endpointDisableMinAttempts` failed attempts, and the latest one
 *   started within `disableRecencyMs`;
 * - else `warn` when the spell has lasted `endpointWarnAfterHours` and was not warned about;
 * - else `none`.
 */
export function judgeFailingSpell(spell: FailingSpell, now: Date, settings: EndpointHealthSettings): EndpointHealthVerdict {
  const lastedMs = now.getTime() - spell.failingSince.getTime();
  const windowMs = settings.endpointDisableAfterHours * HOUR_MS;
  if (
    windowMs > 0 &&
    lastedMs >= windowMs &&
    spell.failedAttempts >= settings.endpointDisableMinAttempts &&
    spell.lastFailedAt !== null &&
    now.getTime() - spell.lastFailedAt.getTime() <= disableRecencyMs(settings.endpointDisableAfterHours)
  ) {
    return "disable";
  }
  if (spell.warnedAt === null && lastedMs >= settings.endpointWarnAfterHours * HOUR_MS) return "warn";
  return "none";
}

/**
 * Whether a spell's verdict at `now` can be other than `none`, whatever its attempts: it was not
 * warned about yet (and has lasted the warning period), or the disable window has passed. The
 * health check counts attempts only then, not every minute for a spell that is warned about and
 * not yet old enough to disable.
 */
export function mayChangeVerdict(spell: Pick<FailingSpell, "failingSince" | "warnedAt">, now: Date, settings: EndpointHealthSettings): boolean {
  const lastedMs = now.getTime() - spell.failingSince.getTime();
  if (spell.warnedAt === null && lastedMs >= settings.endpointWarnAfterHours * HOUR_MS) return true;
  return settings.endpointDisableAfterHours > 0 && lastedMs >= settings.endpointDisableAfterHours * HOUR_MS;
}

/** When the spell's subscription is disabled at the earliest (unix ms); null: auto-disable is off. */
export function disableAtMs(failingSince: Date, settings: Pick<EndpointHealthSettings, "endpointDisableAfterHours">): number | null {
  return settings.endpointDisableAfterHours > 0 ? failingSince.getTime() + settings.endpointDisableAfterHours * HOUR_MS : null;
}

/** The disabled subscription's reason, e.g. `every attempt failed for 5 days (37 attempts since 2026-11-29T10:00:00Z)`. */
export function autoDisableReason(spell: FailingSpell, disableAfterHours: number): string {
  const span = disableAfterHours % 24 === 0 ? plural(disableAfterHours / 24, "day") : plural(disableAfterHours, "hour");
  const since = spell.failingSince.toISOString().replace(/\.\d{3}Z$/, "Z");
  return `every attempt failed for ${span} (${plural(spell.failedAttempts, "attempt")} since ${since})`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}
