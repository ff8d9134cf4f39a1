import { sql } from "kysely";
import type { Store } from "../../server/src/store/database.js";
import { PARTITION_MS } from "../../server/src/store/partitions.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

/** 2026-01-01 00:00 UTC: day 0 of the retention tests. */
export const DAY0 = Date.UTC(2026, 0, 1);
/** Days (index from DAY0) with a delivery to an endpoint that answers 500: pending for 42 days. */
export const PENDING_DAYS = [2, 5];
export const DAYS = 40;

/** A server with `days` (40) days of events made through the API, one a day to a 200 endpoint plus the pending ones. */
export interface RetentionWorld {
  t: TestApp;
  receiver: Receiver;
  /** Per day index: the event ids of that day and their delivery ids. */
  events: Map<number, string[]>;
  close(): Promise<void>;
}

/**
 * Emits day by day under a fake clock (noon UTC) with the workers on, so each day's delivery to
 * `/ok` succeeds with one attempt and those to `/down` stay pending (retries every 7 days, 6 of
 * them, no jitter). Ends with the clock at day `days` (default 40), noon.
 */
export async function buildRetentionWorld(kind: "pglite" | "postgres", days = DAYS): Promise<RetentionWorld> {
  const receiver = await startReceiver((request, _index, response) => void response.writeHead(request.url.startsWith("/ok") ? 200 : 500).end());
  const origin = new URL(receiver.url).origin;
  const clock = new FakeClock(DAY0 + PARTITION_MS / 2);
  const t = await startTestApp(kind, { workers: true, retryJitter: 0, retrySchedule: Array(6).fill(7 * 86_400) }, { clock });
  await t.client.subscribe({ customerId: "cus_ok", endpointUrl: `${origin}/ok` });
  await t.client.subscribe({ customerId: "cus_down", endpointUrl: `${origin}/down` });
  const events = new Map<number, string[]>();
  for (let day = 0; day < days; day++) {
    clock.set(DAY0 + day * PARTITION_MS + PARTITION_MS / 2);
    const ids = [(await t.client.emit({ type: "lead.created", customerId: "cus_ok" })).event!.id];
    if (PENDING_DAYS.includes(day)) ids.push((await t.client.emit({ type: "lead.created", customerId: "cus_down" })).event!.id);
    events.set(day, ids);
    t.app.engine!.wake();
    await t.app.engine!.idle();
  }
  clock.set(DAY0 + days * PARTITION_MS + PARTITION_MS / 2);
  // Retries due at the final time too (day 5's: every 7 days), so nothing changes after this.
  t.app.engine!.wake();
  await t.app.engine!.idle();
  return {
    t,
    receiver,
    events,
    async close() {
      await t.close();
      await receiver.close();
    },
  };
}

/** Rows per table and UTC day, as `"<table> <YYYY-MM-DD>" → count`. */
export async function rowsPerDay(store: Store): Promise<Record<string, number>> {
  const { rows } = await sql<{ key: string; n: number }>`
    SELECT 'events ' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS key, count(*)::int AS n FROM events GROUP BY 1
    UNION ALL SELECT 'deliveries ' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), count(*)::int FROM deliveries GROUP BY 1
    UNION ALL SELECT 'attempts ' || to_char(delivery_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), count(*)::int FROM attempts GROUP BY 1`.execute(store.db);
  return Object.fromEntries(rows.map((row) => [row.key, Number(row.n)]));
}

/** `YYYY-MM-DD` of day index `day`. */
export function dayName(day: number): string {
  return new Date(DAY0 + day * PARTITION_MS).toISOString().slice(0, 10);
}
