import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BUILD = fileURLToPath(new URL("../../server/scripts/build.js", import.meta.url));

/**
 * Vitest global setup: builds server/dist (and the SDK packages it uses) before any test runs,
 * so the tests that spawn `server/bin/posthorn.js` run the code as it is in server/src, never a
 * stale build. Incremental (`tsc -b`): about a second when nothing changed. A TypeScript error
 * stops the run here, with tsc's messages, rather than letting tests run an older build.
 */
export default function buildServer(): void {
  execFileSync(process.execPath, [BUILD], { stdio: "inherit" });
}
