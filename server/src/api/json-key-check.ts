import { excerpt, jsonPathStep } from "../domain/excerpt.js";
import { UNSTORABLE_KEY } from "./proto-key-check.js";

/**
 * The JSON path of the first `__proto__` key in the `data` of an EmitRequest or of an
 * EmitBatchRequest's events, in the request as JSON (`JSON.parse` keeps such a key as an own
 * property; decoding into the message would drop it); the JSON twin of proto-key-check.ts's
 * `unstorableKeyPath`, with the same paths, e.g. `events[1].data.a["__proto__"]`. Undefined when
 * there is none or `request` is not shaped like the request.
 */
export function unstorableKeyPathInJson(rpc: "Emit" | "EmitBatch", request: unknown): string | undefined {
  if (!isObject(request)) return undefined;
  if (rpc === "Emit") return inValue(request.data, "data");
  if (!Array.isArray(request.events)) return undefined;
  for (const [index, event] of request.events.entries()) {
    const found = isObject(event) ? inValue(event.data, `events[${index}].data`) : undefined;
    if (found) return found;
  }
  return undefined;
}

function inValue(value: unknown, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = inValue(item, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (!isObject(value)) return undefined;
  for (const key of Object.keys(value)) {
    // `["__proto__"]`, not `.__proto__`, as in proto-key-check.ts.
    if (key === UNSTORABLE_KEY) return `${path}[${excerpt(key)}]`;
    const found = inValue(value[key], path + jsonPathStep(key));
    if (found) return found;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
