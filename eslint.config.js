// ESLint flat config: a recommended base (ESLint + typescript-eslint, syntax only: the
// type-aware rules would add a whole type check, ~25 s here, to every lint run) and the import
// direction of the layers in docs/architecture.md, checked on resolved paths (a `../api/x.js`
// specifier resolves to `server/src/api/x.ts` through eslint-import-resolver-typescript), so
// relative, type-only, re-exported and dynamic imports are all seen.
import { readdirSync } from "node:fs";
import { defineConfig } from "eslint/config";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

/**
 * The layers of server/src, lowest first: each folder (or `app.ts`) and the folders it may
 * import from. Anything of ours not listed is refused; generated code (`sdk/proto/src/gen`,
 * `@posthorn/proto`) and npm packages are outside the layers. Source: issue 16 and
 * docs/architecture.md.
 */
export const layers = {
  domain: [],
  config: ["domain"],
  observability: ["domain", "config"],
  store: ["domain", "config", "observability"],
  secrets: ["domain", "config", "observability", "store"],
  feed: ["domain", "config", "observability", "store"],
  auth: ["domain", "config", "observability", "store", "secrets"],
  api: ["domain", "config", "observability", "store", "secrets", "feed", "auth"],
  delivery: ["domain", "config", "observability", "store", "secrets", "feed"],
  "app.ts": ["domain", "config", "observability", "store", "secrets", "feed", "auth", "api", "delivery"],
  cli: ["domain", "config", "observability", "store", "secrets", "feed", "auth", "api", "delivery", "app.ts"],
};

const layerPath = (name) => `./server/src/${name}`;

/**
 * The entries of server/src that are in no layer. The zones below only relate listed layers, so
 * a new folder or file would escape the rule: the config refuses to load until it is placed.
 */
export function unlayeredEntries(entries) {
  return entries.filter((entry) => !Object.hasOwn(layers, entry));
}

const unlayered = unlayeredEntries(readdirSync(new URL("./server/src/", import.meta.url)));
if (unlayered.length > 0) {
  throw new Error(
    `server/src/${unlayered.join(", server/src/")} is in no layer: add it to \`layers\` in eslint.config.js and to docs/architecture.md`,
  );
}

/** One zone per (layer, layer it may not import): the allow-list above turned into denials. */
const layerZones = Object.entries(layers).flatMap(([layer, allowed]) =>
  Object.keys(layers)
    .filter((other) => other !== layer && !allowed.includes(other))
    .map((other) => ({
      target: layerPath(layer),
      from: layerPath(other),
      message: `Layer rule (docs/architecture.md): server/src/${layer} may import only from ${allowed.join(", ") || "nothing of ours"}.`,
    })),
);

const packageZones = [
  {
    target: "./server/src",
    from: ["./test", "./bench"],
    message: "Server code must not depend on tests or benchmarks.",
  },
  {
    target: ["./sdk/proto", "./sdk/typescript/src", "./sdk/verifier/src"],
    from: "./server",
    message: "The SDK packages are published alone: they must not import server code.",
  },
];

export default defineConfig(
  {
    ignores: ["**/gen/**", "**/dist/**", "**/node_modules/**", "bench/results/**", "coverage/**", "sdk/go/**", "sdk/python/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.js"],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { console: "readonly", process: "readonly", URL: "readonly" },
    },
    plugins: { "import-x": importX },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones: [...layerZones, ...packageZones] }],
      // An import that does not resolve would pass the layer rule unseen: refuse it.
      "import-x/no-unresolved": "error",
      // `_` marks a value left out on purpose (a destructured field, an unused callback argument).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // Input validation matches control characters on purpose (api/validate.ts).
      "no-control-regex": "off",
      // A cause would change printed errors (pino appends it); the messages already quote it.
      "preserve-caught-error": "off",
      // Reports a private field that is read only through `??=` (store/group-commit.ts).
      "no-unused-private-class-members": "off",
    },
  },
  {
    files: ["sdk/proto/**", "sdk/typescript/src/**", "sdk/verifier/src/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@posthorn/server", "@posthorn/server/*"], message: "The SDK packages must not import server code." }] },
      ],
    },
  },
);
