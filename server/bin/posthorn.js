#!/usr/bin/env node
// `posthorn` command: runs the compiled CLI (server/dist/cli/main.js, built from server/src by
// `npm run build`, which `npm ci` runs) in this process: plain Node, no TypeScript loader.
import { existsSync } from "node:fs";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("posthorn: the server is not built (server/dist is missing): run `npm run build` (or `npm ci`) first.\n");
  process.exit(1);
}
await import(main.href);
