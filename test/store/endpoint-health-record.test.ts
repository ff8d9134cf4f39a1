import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../server/src/store/database.js";
import { endFailingSpells } from "../../server/src/store/sql/end-failing-spells.js";
import { startFailingSpells } from "../../server/src/store/sql/start-failing-spells.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const T = (minutes: number) => new Date(Date.UTC(2026, 10, 29, 12, minutes));

describe.each(STORES)("endpoint health record (%s)", (kind) => {
  let t: TestApp;
  let other: Store;
  beforeAll(async () => {
    t = await startTestApp(kind);
    // On PostgreSQL a second pool, as another process has; PGlite has one connection per folder.
    other = kind === "postgres" ? await openStore({ databaseUrl: t.database.databaseUrl, dataDir: t.database.dataDir }) : t.app.store;
  });
  afterAll(async () => {
    if (other !== t.app.store) await other.close();
    await t.close();
  });

  const record = (id: string) =>
    t.app.store.db.selectFrom("subscriptions").select(["failing_since", "failing_warned_at", "last_success_at"]).where("id", "=", id).executeTakeFirstOrThrow();

  it("starts a spell once, ends it once (two pools at once), and a stale failure does not start one after a later success", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_rec", endpointUrl: "https://example.com/hook" });
    const id = subscription!.id;
    expect(await startFailingSpells(t.app.store.db, [{ subscriptionId: id, startedAt: T(10) }, { subscriptionId: id, startedAt: T(5) }])).toBe(1);
    expect(await startFailingSpells(other.db, [{ subscriptionId: id, startedAt: T(20) }])).toBe(0);
    expect(await record(id)).toEqual({ failing_since: T(5), failing_warned_at: null, last_success_at: null });

    // A success that started before the spell does not end it.
    expect(await endFailingSpells(t.app.store.db, [{ subscriptionId: id, startedAt: T(4) }])).toEqual([]);
    await t.app.store.db.updateTable("subscriptions").set({ failing_warned_at: T(30) }).where("id", "=", id).execute();

    const ends = await Promise.all([
      endFailingSpells(t.app.store.db, [{ subscriptionId: id, startedAt: T(40) }]),
      endFailingSpells(other.db, [{ subscriptionId: id, startedAt: T(41) }]),
    ]);
    const ended = ends.flat();
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ id, enabled: true, failing_since: T(5), failing_warned_at: T(30) });
    const after = await record(id);
    expect(after.failing_since).toBeNull();
    expect(after.failing_warned_at).toBeNull();
    expect([T(40).getTime(), T(41).getTime()]).toContain(after.last_success_at!.getTime());

    // A slow failure that started before the recorded success, recorded after it: no spell.
    expect(await startFailingSpells(t.app.store.db, [{ subscriptionId: id, startedAt: T(39) }])).toBe(0);
    expect(await startFailingSpells(t.app.store.db, [{ subscriptionId: id, startedAt: T(50) }])).toBe(1);
    expect((await record(id)).failing_since).toEqual(T(50));
  });
});
