#!/usr/bin/env node
// `posthorn` command: runs the TypeScript CLI (server/src/cli/main.ts) in this process through
// tsx's ESM loader, so there is no build step and no child process to forward signals to.
import { register } from "tsx/esm/api";

register();
await import(new URL("../src/cli/main.ts", import.meta.url).href);
