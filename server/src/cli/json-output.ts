import { toJson, type DescMessage, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { print } from "./cli-support.js";

/**
 * How every `--json` prints. A command that answers once prints one document (indented); a
 * command that follows something live (`watch`, `listen`) prints one object per line (JSON
 * Lines), so a script can read each as it comes.
 *
 * API messages use the proto3 JSON mapping (https://protobuf.dev/programming-guides/json/):
 * camelCase field names, enums by name, timestamps as RFC 3339 text, bytes as base64, and
 * 32-bit integers as JSON numbers. Fields at their default value are printed too (`false`, `0`,
 * `""`, `[]`), so `jq '.enabled'` reads `false` instead of `null` and every object of one kind
 * has the same keys. 64-bit integers (GetStorage's and PruneStorage's byte and row counts; the
 * other counters are uint32) stay JSON strings, as the mapping prints them: a number beyond 2^53
 * cannot pass through `JSON.parse` and jq unchanged, and a field whose type changed with its
 * value would break scripts.
 */

/** `message` in the proto3 JSON mapping, default values included (see above). */
export function messageJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): JsonValue {
  return toJson(schema, message, { alwaysEmitImplicit: true });
}

/** Prints one JSON document, indented by two spaces. */
export function printJsonDocument(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/** Prints one JSON value on one line (JSON Lines, https://jsonlines.org). */
export function printJsonLine(value: unknown): void {
  print(JSON.stringify(value));
}
