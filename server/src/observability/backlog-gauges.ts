import { Gauge, type Registry } from "prom-client";
import type { Logger } from "./logger.js";

/** The numbers behind the pending-deliveries gauges. */
export interface PendingBacklog {
  /** Deliveries waiting for an attempt. */
  pending: number;
  /** Creation time of the oldest of them, epoch ms; undefined when none is pending. */
  oldestCreatedMs: number | undefined;
}

/**
 * Registers `posthorn_deliveries_pending` and `posthorn_oldest_pending_delivery_age_seconds`.
 * `backlog` gives both numbers for each scrape (one call, the store's query, not a counter that
 * drifts across processes); it resolves to undefined when they cannot be had now (database
 * unreachable) and may reject. Meanwhile the two gauges keep their last values and everything
 * else is served; `logger` gets one warning when `backlog` starts failing (once per run of failures).
 */
export function registerBacklogGauges(registry: Registry, backlog: () => Promise<PendingBacklog | undefined>, logger?: Pick<Logger, "warn">): void {
  let scraping: Promise<PendingBacklog | undefined> | undefined;
  let failing = false;
  const scrape = () =>
    (scraping ??= backlog()
      .then((numbers) => {
        if (numbers) failing = false;
        return numbers;
      })
      .catch((error: unknown) => {
        if (!failing) logger?.warn({ err: error }, "pending-deliveries gauges unavailable; serving their last values");
        failing = true;
        return undefined;
      })
      .finally(() => (scraping = undefined)));
  new Gauge({
    name: "posthorn_deliveries_pending",
    help: "Deliveries waiting for an attempt",
    registers: [registry],
    async collect() {
      const numbers = await scrape();
      if (numbers) this.set(numbers.pending);
    },
  });
  new Gauge({
    name: "posthorn_oldest_pending_delivery_age_seconds",
    help: "Age of the oldest pending delivery, in seconds (0 when none)",
    registers: [registry],
    async collect() {
      const numbers = await scrape();
      if (numbers) this.set(numbers.oldestCreatedMs === undefined ? 0 : Math.max(0, (Date.now() - numbers.oldestCreatedMs) / 1000));
    },
  });
}
