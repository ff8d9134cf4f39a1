import { useId, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { ErrorNotice } from "../ui/error-notice.js";
import { localInputValue, timestampFromLocalInput } from "../ui/local-time-input.js";
import { EndpointOptions } from "./endpoint-options.js";
import type { FilterChoices } from "./use-filter-choices.js";

const DAY_MS = 86_400_000;

/**
 * "Recover failed deliveries": re-queues one endpoint's failed deliveries created since a time
 * (RecoverFailedDeliveries), e.g. after the endpoint was fixed, and says how many. `onRecovered`
 * lets the log read its list again.
 */
export function RecoverForm({ api, choices, onRecovered }: { api: Api; choices: FilterChoices; onRecovered: () => void }) {
  const id = useId();
  const [subscriptionId, setSubscriptionId] = useState("");
  const [since, setSince] = useState(() => localInputValue(new Date(Date.now() - DAY_MS)));
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState("");
  const [error, setError] = useState<unknown>(undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setResult("");
    setError(undefined);
    try {
      const recovery = await api.recoverFailedDeliveries({ subscriptionId, since: timestampFromLocalInput(since) });
      const { recoveredDeliveries: count, createdDeliveries: created } = recovery;
      const missed = created > 0 ? ` Sent ${created} ${created === 1 ? "event" : "events"} missed while it was disabled.` : "";
      setResult(`Re-queued ${count} failed ${count === 1 ? "delivery" : "deliveries"}.${missed}`);
      if (count + created > 0) onRecovered();
    } catch (failure) {
      setError(failure);
    }
    setBusy(false);
  };

  return (
    <section class="recover" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Recover failed deliveries</h3>
      <p>Queue every failed delivery to an endpoint again, from a time on (after the endpoint was fixed).</p>
      <form onSubmit={(event) => void submit(event)}>
        <div class="filter-field">
          <label htmlFor={`${id}-endpoint`}>Endpoint to recover</label>
          <select id={`${id}-endpoint`} required value={subscriptionId} onChange={(event) => setSubscriptionId(event.currentTarget.value)}>
            <option value="">Choose an endpoint</option>
            <EndpointOptions endpoints={choices.endpoints} />
          </select>
        </div>
        <div class="filter-field">
          <label htmlFor={`${id}-since`}>Failed since</label>
          <input id={`${id}-since`} type="datetime-local" required value={since} onChange={(event) => setSince(event.currentTarget.value)} />
        </div>
        <div class="filter-field filter-actions">
          <button type="submit" disabled={busy}>
            {busy ? "Recovering…" : "Recover failed deliveries"}
          </button>
        </div>
      </form>
      <p role="status">{result}</p>
      <ErrorNotice error={error} />
    </section>
  );
}
