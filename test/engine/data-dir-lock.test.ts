import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../server/src/store/database.js";

describe("embedded data folder lock", () => {
  const dir = mkdtempSync(join(tmpdir(), "posthorn-lock-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a second store on the same PGlite folder, and frees it on close", async () => {
    const first = await openStore({ dataDir: dir });
    await expect(openStore({ dataDir: dir })).rejects.toThrow(/in use by process \d+/);
    await first.close();
    const second = await openStore({ dataDir: dir });
    await second.close();
  });

  it("takes over a lock left by a process that no longer runs", async () => {
    // pid 2^22 + 1 is above Linux's pid_max default, so no process has it.
    writeFileSync(join(dir, "posthorn.lock"), String(4_194_305));
    const store = await openStore({ dataDir: dir });
    await store.close();
  });
});
