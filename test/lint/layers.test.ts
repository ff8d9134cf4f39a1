import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The layer rule of eslint.config.js (docs/architecture.md) can fail: code placed in a layer's
 * folder (the file need not exist; its imports must) is linted with the real config, and only
 * the import-direction rule's findings are counted.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The import-direction findings (rule id and message) for `code` as if it were at `filePath`. */
async function layerFindings(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === "import-x/no-restricted-paths" || message.ruleId === "no-restricted-imports")
    .map((message) => message.message);
}

describe("the layer rule", () => {
  it("refuses an import from store/ up into api/, also a type-only one", async () => {
    const findings = await layerFindings(
      "server/src/store/x.ts",
      'import { toGrpcError } from "../api/grpc-status.js";\nimport type { Caller } from "../auth/caller.js";\nexport { toGrpcError };\nexport type { Caller };\n',
    );
    expect(findings).toHaveLength(2);
    expect(findings[0]).toContain("server/src/store may import only from domain, config, observability");
  });

  it("allows an import from store/ down into domain/", async () => {
    expect(await layerFindings("server/src/store/x.ts", 'import { newId } from "../domain/ids.js";\nexport { newId };\n')).toEqual([]);
  });

  it("refuses delivery/ importing api/, server code importing tests, and an SDK importing the server", async () => {
    expect(await layerFindings("server/src/delivery/x.ts", 'export * from "../api/grpc-status.js";\n')).toHaveLength(1);
    expect(await layerFindings("server/src/domain/x.ts", 'export * from "../../../test/helpers/eventually.js";\n')).toHaveLength(1);
    expect(await layerFindings("sdk/typescript/src/x.ts", 'export * from "../../../server/src/domain/ids.js";\n')).toHaveLength(1);
  });
});

describe("every entry of server/src is in a layer", () => {
  it("names a folder or file that no layer lists (the config then refuses to load)", async () => {
    const config = (await import(new URL("../../eslint.config.js", import.meta.url).href)) as { unlayeredEntries: (entries: string[]) => string[] };
    const { unlayeredEntries } = config;
    expect(unlayeredEntries(["api", "app.ts", "util", "helpers.ts"])).toEqual(["util", "helpers.ts"]);
    expect(unlayeredEntries(readdirSync(`${root}server/src`))).toEqual([]);
  });
});
