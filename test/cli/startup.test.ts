/**
 * What `posthorn` loads at start (issue 17): `--help` and `--version` load no command's module,
 * so none of the SDK, the generated proto code or the database libraries; the stubs that stand
 * in for the commands in `posthorn --help` list them exactly as the commands themselves would.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, Help } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { CLIENT_COMMANDS, registerClientCommands } from "../../server/src/cli/client-commands.js";
import { runProcess } from "../e2e/child-process.js";

/** Packages that take most of a second to load between them: only a running command may load them. */
const HEAVY = ["@electric-sql/pglite", "kysely", "pg", "pino", "prom-client", "undici", "@grpc/grpc-js", "@bufbuild/protobuf", "@posthorn/sdk", "@posthorn/proto"];

const dir = mkdtempSync(join(tmpdir(), "posthorn-startup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bin with module-loader hooks that write every loaded module's URL to a file; returns the URLs. */
async function modulesLoadedBy(args: string[]): Promise<{ code: number | string; stdout: string; urls: string[] }> {
  const log = join(dir, `modules-${args.join("_")}.txt`);
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(hooks, `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) {\n  appendFileSync(${JSON.stringify(log)}, url + "\\n");\n  return next(url, context);\n}\n`);
  const register = join(dir, "register.mjs");
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  writeFileSync(log, "");
  const { code, stdout } = await runProcess("node", ["--import", pathToFileURL(register).href, "server/bin/posthorn.js", ...args]);
  return { code, stdout, urls: readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

/** The packages among `urls` (the folder after the last node_modules, or the workspace package). */
function packagesOf(urls: string[]): Set<string> {
  return new Set(urls.map((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? /\/(sdk\/[^/]+|server)\//.exec(url)?.[1] ?? url));
}

describe("posthorn start-up", () => {
  it.each([["--help"], ["--version"]])("%s loads commander and none of the SDK, proto or database libraries", async (flag) => {
    const { code, urls } = await modulesLoadedBy([flag]);
    expect(code).toBe(0);
    const packages = packagesOf(urls);
    // The hook sees the loads at all: commander and the CLI's own entry point are there.
    expect(packages).toContain("commander");
    expect(urls.some((url) => url.endsWith("/server/dist/cli/main.js"))).toBe(true);
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
    expect(urls.filter((url) => /\/(sdk\/[^/]+)\/|-command\.js$|\/store\//.test(url))).toEqual([]);
  });

  it("a command loads its own module, not the others': `keys generate` loads no database library (migrate-command would)", async () => {
    const generate = await modulesLoadedBy(["keys", "generate"]);
    expect(generate.code).toBe(0);
    expect(generate.stdout).toMatch(/^phk_/);
    const packages = packagesOf(generate.urls);
    expect(["@electric-sql/pglite", "kysely", "pg"].filter((name) => packages.has(name))).toEqual([]);
  });

  it("--version and -V print server/package.json's version", async () => {
    const { version } = JSON.parse(readFileSync("server/package.json", "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const { code, stdout } = await runProcess("node", ["server/bin/posthorn.js", flag]);
      expect(code).toBe(0);
      expect(stdout.trim()).toBe(version);
    }
  });

  it("CLIENT_COMMANDS lists each command as its own module defines it (term and summary)", async () => {
    const real = new Command().name("posthorn");
    await registerClientCommands(real, "all");
    const help = new Help();
    const defined = real.commands.map((command) => ({ term: help.subcommandTerm(command), summary: help.subcommandDescription(command) }));
    expect(CLIENT_COMMANDS.map(({ term, summary }) => ({ term, summary }))).toEqual(defined);
    const stubs = new Command().name("posthorn");
    await registerClientCommands(stubs, []);
    expect(stubs.helpInformation()).toBe(real.helpInformation());
  });
});
