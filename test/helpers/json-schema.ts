import { createRequire } from "node:module";

/** One error of a failed validation, as Ajv reports it. */
export interface SchemaError {
  /** JSON pointer (RFC 6901) of the value at fault in the data; "" for the root. */
  instancePath: string;
  keyword: string;
  message?: string;
}

/** A compiled JSON Schema: whether `data` matches it, and why not (`errors`, set after a failure). */
export interface SchemaCheck {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

interface Ajv2020 {
  compile(schema: object): SchemaCheck;
}

// ajv 8 is the server's dependency (server/node_modules); the root's `ajv` is eslint's 6.x.
const fromServer = createRequire(new URL("../../server/package.json", import.meta.url));
const Ajv = fromServer("ajv/dist/2020") as { default: new (options: object) => Ajv2020 };

/**
 * Compiles `schema` with Ajv 8 for JSON Schema draft 2020-12 (the dialect of proto
 * `EventType.schema`), in strict mode: a keyword Ajv does not know, or a type union, throws.
 */
export function compileSchema(schema: object): SchemaCheck {
  return new Ajv.default({ strict: true, allErrors: true }).compile(schema);
}
