import type { Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { RATE_WINDOW } from "./success-rate.js";
import { EndpointRow, type RowActions } from "./endpoint-row.js";

/** The endpoints as a table (stacked into one card per endpoint on narrow screens, styles.css). */
export function EndpointTable({ api, items, managedId, refresh, actions }: {
  api: Api;
  items: Subscription[];
  managedId: string | undefined;
  refresh: number;
  actions: RowActions;
}) {
  return (
    <table class="endpoints">
      <caption class="visually-hidden">Your endpoints</caption>
      <thead>
        <tr>
          <th scope="col">URL</th>
          <th scope="col">Event types</th>
          <th scope="col">State</th>
          <th scope="col">Signature</th>
          <th scope="col">
            <abbr title={`Succeeded of finished, newest ${RATE_WINDOW} deliveries`}>Success rate</abbr>
          </th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {items.map((subscription) => (
          <EndpointRow
            key={subscription.id}
            api={api}
            subscription={subscription}
            managed={subscription.id === managedId}
            refresh={refresh}
            actions={actions}
          />
        ))}
      </tbody>
    </table>
  );
}
