import type { Api } from "../api.js";

/** Placeholder: the Live view. */
export function LiveView({ api }: { api: Api }) {
  void api;
  return <section aria-label="Live" />;
}
