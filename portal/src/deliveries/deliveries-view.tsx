import { useState } from "preact/hooks";
import "./deliveries.css";
import "../ui/log-views.css";
import type { Api } from "../api.js";
import { ErrorNotice } from "../ui/error-notice.js";
import { isUnfiltered, NO_FILTERS, type DeliveryFilters } from "./delivery-filters.js";
import { DeliveryDetail } from "./delivery-detail.js";
import { DeliveryTable } from "./delivery-table.js";
import { FilterForm } from "./filter-form.js";
import { RecoverForm } from "./recover-form.js";
import { useDeliveryPages } from "./use-delivery-pages.js";
import { useFilterChoices } from "./use-filter-choices.js";

/**
 * The Delivery log: filters, the customer's deliveries newest first (a page at a time, "Load
 * more" for older ones), one delivery's attempts with Retry, and the recovery of an endpoint's
 * failed deliveries. The session's key is a customer key: the server shows only its deliveries.
 */
export function DeliveriesView({ api }: { api: Api }) {
  const [filters, setFilters] = useState<DeliveryFilters>(NO_FILTERS);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const choices = useFilterChoices(api);
  const pages = useDeliveryPages(api, filters);
  const filtered = !isUnfiltered(filters);
  // Back to the row's button, so a keyboard user goes on where they were.
  const close = (id: string) => {
    setSelected(undefined);
    document.querySelector<HTMLButtonElement>(`button[data-delivery="${id}"]`)?.focus();
  };

  return (
    <section class="view" aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Delivery log</h2>
      <FilterForm filters={filters} choices={choices} onChange={setFilters} />
      {/* Once is enough when both reads failed alike (an expired link). */}
      {pages.error === undefined && <ErrorNotice error={choices.error} />}
      {pages.deliveries.length > 0 && <DeliveryTable deliveries={pages.deliveries} selectedId={selected} onSelect={setSelected} />}
      <div aria-live="polite" class="list-state">
        {pages.loading && <p>Loading deliveries…</p>}
        {!pages.loading && pages.error === undefined && pages.deliveries.length === 0 && (
          <p>{filtered ? "No deliveries match these filters." : "No deliveries yet. They appear here once events are sent to your endpoints."}</p>
        )}
      </div>
      <ErrorNotice error={pages.error} />
      {pages.hasMore && !pages.loading && (
        <button type="button" onClick={pages.loadMore}>
          Load more
        </button>
      )}
      {selected !== undefined && <DeliveryDetail api={api} id={selected} onChanged={pages.replace} onClose={() => close(selected)} />}
      <RecoverForm api={api} choices={choices} onRecovered={pages.reload} />
    </section>
  );
}
