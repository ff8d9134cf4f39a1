import { useId } from "preact/hooks";
import { DeliveryState } from "@posthorn/proto/schema";
import { STATE_WORDS } from "../ui/delivery-words.js";
import { EndpointOptions } from "./endpoint-options.js";
import { isUnfiltered, NO_FILTERS, type DeliveryFilters } from "./delivery-filters.js";
import type { FilterChoices } from "./use-filter-choices.js";

const STATES = [DeliveryState.PENDING, DeliveryState.SUCCEEDED, DeliveryState.FAILED, DeliveryState.CANCELED];

/**
 * The log's filters: endpoint, state, event type and a time range. Each change applies at once
 * (a `change` event: a select's pick, a complete date and time), so there is no "apply" step.
 */
export function FilterForm({ filters, choices, onChange }: { filters: DeliveryFilters; choices: FilterChoices; onChange: (filters: DeliveryFilters) => void }) {
  const id = useId();
  const set = (change: Partial<DeliveryFilters>) => onChange({ ...filters, ...change });
  const value = (event: Event) => (event.currentTarget as HTMLInputElement | HTMLSelectElement).value;
  return (
    <form class="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
      <div class="filter-field">
        <label htmlFor={`${id}-endpoint`}>Endpoint</label>
        <select id={`${id}-endpoint`} value={filters.subscriptionId} onChange={(event) => set({ subscriptionId: value(event) })}>
          <option value="">All endpoints</option>
          <EndpointOptions endpoints={choices.endpoints} />
        </select>
      </div>
      <div class="filter-field">
        <label htmlFor={`${id}-state`}>State</label>
        <select id={`${id}-state`} value={String(filters.state)} onChange={(event) => set({ state: Number(value(event)) as DeliveryState })}>
          <option value={String(DeliveryState.UNSPECIFIED)}>Any state</option>
          {STATES.map((state) => (
            <option key={state} value={String(state)}>
              {STATE_WORDS[state]}
            </option>
          ))}
        </select>
      </div>
      <div class="filter-field">
        <label htmlFor={`${id}-type`}>Event type</label>
        <select id={`${id}-type`} value={filters.eventType} onChange={(event) => set({ eventType: value(event) })}>
          <option value="">All event types</option>
          {choices.eventTypes.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </div>
      <div class="filter-field">
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="datetime-local" value={filters.from} onChange={(event) => set({ from: value(event) })} />
      </div>
      <div class="filter-field">
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="datetime-local" value={filters.to} onChange={(event) => set({ to: value(event) })} />
      </div>
      <div class="filter-field filter-actions">
        <button type="button" onClick={() => onChange(NO_FILTERS)} disabled={isUnfiltered(filters)}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
