import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BUILD = fileURLToPath(new URL("../../server/scripts/build.js", import.meta.url));
const PORTAL = fileURLToPath(new URL("../../portal/", import.meta.url));
const VITE = fileURLToPath(new URL("../../node_modules/vite/bin/vite.js", import.meta.url));

/**
 * Vitest global setup: builds server/dist (and the SDK packages it uses) and the portal page
 * (portal/dist) before any test runs, so the tests that spawn `server/bin/posthorn.js` or open
 * the page run the code as it is in the sources, never a stale build. The server build is
 * incremental (`tsc -b`: about a second when nothing changed); the page takes about a second
 * more. A TypeScript error stops the run here, with tsc's messages, rather than letting tests
 * run an older build. Nothing reads portal/dist yet: the build empties it first.
 */
export default function buildServer(): void {
  execFileSync(process.execPath, [BUILD], { stdio: "inherit" });
  execFileSync(process.execPath, [VITE, "build", "--logLevel", "warn"], { cwd: PORTAL, stdio: "inherit" });
}
