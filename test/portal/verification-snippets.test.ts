/**
 * The portal's verification snippets call only functions the SDKs really export: every name a
 * Node snippet imports from @posthorn/verifier is a function of the package, every name a Python
 * snippet imports from posthorn.verifier is in its `__all__`, and every `verifier.X` a Go snippet
 * calls is a function or type of sdk/go/verifier.
 */
import { readFileSync, readdirSync } from "node:fs";
import * as verifier from "@posthorn/verifier";
import { describe, expect, it } from "vitest";
import { standardGo, standardNode, standardPython } from "../../portal/src/endpoints/snippets-standard.js";
import { v1Go, v1Node, v1Python } from "../../portal/src/endpoints/snippets-v1.js";

const HEADER = "Dealix-Signature";
const root = new URL("../../", import.meta.url);

function importedNames(code: string, from: RegExp): string[] {
  const match = from.exec(code);
  if (match === null) throw new Error(`no import matching ${from} in:\n${code}`);
  return match[1]!.split(",").map((name) => name.trim()).filter((name) => name !== "");
}

describe("verification snippets", () => {
  it("Node snippets import functions that @posthorn/verifier exports", () => {
    for (const code of [v1Node(HEADER), standardNode()]) {
      const names = importedNames(code, /import \{([^}]+)\} from "@posthorn\/verifier"/);
      for (const name of names) expect(typeof (verifier as Record<string, unknown>)[name], name).toBe("function");
    }
  });

  it("Python snippets import names in posthorn.verifier's __all__", () => {
    const init = readFileSync(new URL("sdk/python/src/posthorn/verifier/__init__.py", root), "utf8");
    const all = init.slice(init.indexOf("__all__"));
    for (const code of [v1Python(HEADER), standardPython()]) {
      for (const name of importedNames(code, /from posthorn\.verifier import ([^\n]+)/)) expect(all, name).toContain(`"${name}"`);
    }
  });

  it("Go snippets call functions and types of sdk/go/verifier", () => {
    const dir = new URL("sdk/go/verifier/", root);
    const source = readdirSync(dir)
      .filter((file) => file.endsWith(".go") && !file.endsWith("_test.go"))
      .map((file) => readFileSync(new URL(file, dir), "utf8"))
      .join("\n");
    for (const code of [v1Go(HEADER), standardGo()]) {
      const used = [...code.matchAll(/verifier\.([A-Z]\w*)/g)].map((m) => m[1]!);
      expect(used.length).toBeGreaterThan(0);
      for (const name of used) expect(source, name).toMatch(new RegExp(`^(func|type) ${name}\\b`, "m"));
    }
  });

  it("v1 snippets read the signature header they are given", () => {
    for (const code of [v1Python(HEADER), v1Go(HEADER)]) expect(code).toContain(`"${HEADER}"`);
    expect(v1Node(HEADER)).toContain(`"${HEADER.toLowerCase()}"`);
  });
});
