// Builds the server for `node server/bin/posthorn.js`: compiles server/src to server/dist with
// `tsc -b` (the SDK packages it references first, each only when its sources changed since the
// last build, so an up-to-date tree costs about a second) and copies the SQL migrations, which
// tsc does not emit, next to the compiled store/migrate.js that reads them. Run by `npm run build`
// (and so by `npm ci`) and before every test run (test/helpers/build-server.ts).
import { execFileSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const SERVER = fileURLToPath(new URL("../", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

try {
  execFileSync(process.execPath, [tsc, "-b", `${SERVER}tsconfig.build.json`], { stdio: "inherit" });
} catch {
  process.stderr.write("server build failed: fix the TypeScript errors above (the server's bin runs the compiled code).\n");
  process.exit(1);
}
// Replaced whole, so a migration removed from src is gone from dist too.
rmSync(`${SERVER}dist/store/migrations`, { recursive: true, force: true });
cpSync(`${SERVER}src/store/migrations`, `${SERVER}dist/store/migrations`, { recursive: true });
