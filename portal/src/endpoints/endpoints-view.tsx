import type { Api } from "../api.js";

/** Placeholder: the Endpoints view. */
export function EndpointsView({ api }: { api: Api }) {
  void api;
  return <section aria-label="Endpoints" />;
}
