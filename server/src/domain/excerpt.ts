/**
 * `value` cut to `max` characters (code points, so an emoji is never cut in half) for quoting
 * in a message, as a JSON string, with an ellipsis when cut.
 */
export function excerpt(value: string, max = 100): string {
  if (value.length <= max) return JSON.stringify(value);
  const kept = Array.from(value);
  return JSON.stringify(kept.length > max ? `${kept.slice(0, max).join("")}…` : value);
}

/**
 * One step of a JSON path in messages: `[2]` for an array index, `.name` for an object key that
 * reads as an identifier, `["odd key"]` (quoted, cut) for any other key.
 */
export function jsonPathStep(key: string | number): string {
  if (typeof key === "number") return `[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${excerpt(key)}]`;
}
