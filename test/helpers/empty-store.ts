import { afterAll, beforeAll } from "vitest";
import { openStore, type Store } from "../../server/src/store/database.js";
import { createTestDatabase, type TestDatabase } from "./databases.js";

/**
 * Registers, in the calling `describe`, a fresh PGlite database with a store opened on it
 * (no migrations applied: the tests run them) that is closed and removed after the block.
 * Returns a getter, since the store exists only once `beforeAll` has run.
 */
export function useEmptyPgliteStore(): () => Store {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    store = await openStore({ dataDir: database.dataDir });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });
  return () => {
    if (store === undefined) throw new Error("the store is opened in beforeAll");
    return store;
  };
}
