import type { Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { schemeName } from "./draft.js";
import { healthHint } from "./health-hint.js";
import { useSuccessRate } from "./success-rate.js";

/** What a row asks of the view: open its manage panel, or send it a test event. */
export interface RowActions {
  onManage: (id: string) => void;
  onTest: (subscription: Subscription) => void;
}

/**
 * One endpoint as a table row, named by its URL (so `getByRole("row", { name: url })` finds it):
 * URL, event types ("All types" when none), state with the server's reason for disabling it (or
 * the endpoint's failing spell, `healthHint`),
 * scheme, recent success rate, and its actions.
 */
export function EndpointRow({ api, subscription, managed, refresh, actions }: {
  api: Api;
  subscription: Subscription;
  managed: boolean;
  refresh: number;
  actions: RowActions;
}) {
  const rate = useSuccessRate(api, subscription.id, refresh);
  const s = subscription;
  const health = healthHint(s);
  return (
    <tr aria-label={s.endpointUrl}>
      <th scope="row" data-label="URL">
        <span class="url">{s.endpointUrl}</span>
        {s.description !== "" && <span class="hint">{s.description}</span>}
      </th>
      <td data-label="Event types">{s.eventTypes.length === 0 ? "All types" : s.eventTypes.join(", ")}</td>
      <td data-label="State">
        <span class={s.enabled ? "state on" : "state off"}>{s.enabled ? "Enabled" : "Disabled"}</span>
        {!s.enabled && s.disabledReason !== "" && <span class="hint">{s.disabledReason}</span>}
        {health !== undefined && <span class="hint failing">{health}</span>}
      </td>
      <td data-label="Signature">{schemeName(s.signatureScheme)}</td>
      <td data-label="Success rate">{rate}</td>
      <td data-label="Actions" class="actions">
        <button type="button" onClick={() => actions.onTest(s)} disabled={!s.enabled} title={s.enabled ? undefined : "Enable the endpoint first"}>
          Send test event
        </button>
        <button type="button" aria-expanded={managed} aria-controls="endpoint-panel" onClick={() => actions.onManage(s.id)}>
          Manage
        </button>
      </td>
    </tr>
  );
}
