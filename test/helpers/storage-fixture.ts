import type { TestApp } from "./test-app.js";

/** Midnight UTC of 2026-11-`day`, unix ms. */
export const november = (day: number) => Date.UTC(2026, 10, day);

/**
 * Stored days for the storage tests (GetStorage, PruneStorage, `posthorn storage`), made with the
 * fake clock: events on 2026-11-01 and 2026-11-03 for a customer without subscriptions (no
 * deliveries: prunable once past retention), on 2026-11-02 for one with a subscription (workers
 * are off, so its delivery stays pending and keeps the day), and on 2026-12-04, where it leaves
 * the clock (12:00 UTC): with the default 30 days of retention the three November days are past
 * it and the last is not. Returns each day's event id.
 */
export async function storeOldDays(t: TestApp): Promise<{ first: string; pending: string; third: string; recent: string }> {
  await t.client.subscribe({ customerId: "cus_kept", endpointUrl: "https://example.com/hook" });
  const emitOn = async (day: number, customerId: string) => {
    t.clock.set(november(day) + 12 * 3_600_000);
    const { event } = await t.client.emit({ customerId, type: "lead.created", data: { day } });
    return event!.id;
  };
  const ids = { first: await emitOn(1, "cus_gone"), pending: await emitOn(2, "cus_kept"), third: await emitOn(3, "cus_gone") };
  // November has 30 days: the 34th is 2026-12-04.
  return { ...ids, recent: await emitOn(34, "cus_gone") };
}
