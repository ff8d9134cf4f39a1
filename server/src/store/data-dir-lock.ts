import { openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";

/**
 * PGlite is PostgreSQL in one process: two processes on one data folder would corrupt it. The
 * first takes `<dataDir>/posthorn.lock` (holding its pid); a second start fails with a message
 * saying who holds it. A lock left by a process that no longer runs is taken over.
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, "posthorn.lock");
  if (heldHere.has(path)) throw inUse(dataDir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(path, "utf8").trim());
      // Our own pid in the file is a lock from an earlier life of this pid (e.g. pid 1 in a container).
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) throw inUse(dataDir, holder);
      rmSync(path, { force: true });
    }
  }
  throw new Error(`cannot lock ${path}`);
}

/** Lock files this process holds. */
const heldHere = new Set<string>();

function inUse(dataDir: string, holder: number): Error {
  return new Error(
    `the embedded database in ${dataDir} is in use by process ${holder}; stop it, choose another ` +
      `POSTHORN_DATA_DIR, or use PostgreSQL (DATABASE_URL) to run several processes`,
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
