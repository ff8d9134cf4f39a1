import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

/**
 * Creates the PGlite cluster in `dataDir` (PostgreSQL's `initdb`) in a short-lived child Node.js
 * process, if the folder holds none yet (no `PG_VERSION`); resolves once it is on disk.
 * Rejects with the child's output if it fails.
 *
 * Why a child: PGlite runs initdb with a second, in-memory PGlite, the initdb WASM module and a
 * tar of the new cluster, all in the calling process (@electric-sql/pglite 0.4, `PGlite.create`
 * on an empty folder). That garbage (~500 MB) is reclaimed only by a later full GC, which an
 * idle server never runs: a fresh `posthorn serve` idled at ~820 MB RSS, the same server on an
 * existing folder at ~390 MB. In a child it ends with the child; the server then opens the
 * folder like any existing one. The child is told to stop if this process goes away first (its
 * IPC channel closes), as an in-process initdb would have.
 *
 * `startParams` are PGlite's PostgreSQL start parameters (the same as the server's, so the
 * child's PGlite is as small).
 */
export async function initPgliteDataDir(dataDir: string, startParams: readonly string[]): Promise<void> {
  if (existsSync(join(dataDir, "PG_VERSION"))) return;
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const script = `
    const { PGlite } = require(${JSON.stringify(entry)});
    process.on("disconnect", () => process.exit(1));
    PGlite.create(${JSON.stringify(dataDir)}, { startParams: ${JSON.stringify(startParams)} })
      .then((pg) => pg.close())
      .then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe", "ipc"], env: process.env });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-4000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`creating the embedded database in ${dataDir} failed (exit ${code}): ${output.trim()}`);
}
