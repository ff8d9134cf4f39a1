import type { Delivery } from "@posthorn/proto/schema";
import { attemptResult, STATE_WORDS } from "../ui/delivery-words.js";
import { formatTime } from "../ui/time.js";

/** The latest attempt's outcome (`HTTP 500`, `timeout`), or "—" before the first attempt. */
function lastStatus(delivery: Delivery): string {
  const last = delivery.attempts.at(-1);
  return last === undefined ? "—" : attemptResult(last);
}

/**
 * The log's rows, newest first: time, event type, endpoint, state, attempts, last status, and a
 * button that opens the delivery's attempts (named with the delivery id, so each is told apart).
 */
export function DeliveryTable({ deliveries, selectedId, onSelect }: { deliveries: Delivery[]; selectedId: string | undefined; onSelect: (id: string) => void }) {
  return (
    <div class="table-scroll" role="region" aria-label="Deliveries table" tabIndex={0}>
      <table class="deliveries">
        <caption>Deliveries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event type</th>
            <th scope="col">Endpoint</th>
            <th scope="col">State</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last status</th>
            <th scope="col">
              <span class="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id} class={delivery.id === selectedId ? "selected" : undefined}>
              <td data-label="Time">{formatTime(delivery.createTime)}</td>
              <td data-label="Event type">{delivery.eventType}</td>
              <td data-label="Endpoint" class="url">{delivery.endpointUrl}</td>
              <td data-label="State">
                <span class={`state state-${STATE_WORDS[delivery.state].toLowerCase()}`}>{STATE_WORDS[delivery.state]}</span>
              </td>
              <td data-label="Attempts">{delivery.attemptCount}</td>
              <td data-label="Last status">{lastStatus(delivery)}</td>
              <td class="details">
                <button type="button" data-delivery={delivery.id} aria-label={`Attempts of ${delivery.id}`} aria-expanded={delivery.id === selectedId} onClick={() => onSelect(delivery.id)}>
                  Attempts
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
