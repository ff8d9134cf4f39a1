import type { Api } from "../api.js";

/** Placeholder: the Delivery log view. */
export function DeliveriesView({ api }: { api: Api }) {
  void api;
  return <section aria-label="Delivery log" />;
}
