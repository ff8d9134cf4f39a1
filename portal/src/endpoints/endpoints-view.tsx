import { useEffect, useState } from "preact/hooks";
import type { Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { isSessionOver } from "../ui/error-message.js";
import { ErrorNotice, failureText } from "../ui/error-notice.js";
import { AddEndpoint } from "./add-endpoint.js";
import { EndpointPanel } from "./endpoint-panel.js";
import { EndpointTable } from "./endpoint-table.js";
import { useSubscriptions } from "./use-subscriptions.js";
import "./endpoints.css";

/**
 * The Endpoints view: the session customer's endpoints (list, success rates, test events), one
 * endpoint's management panel, and the add form. Outcomes of actions are said in one polite
 * status line; a failed list says why (or that the portal link expired).
 */
export function EndpointsView({ api }: { api: Api }) {
  const list = useSubscriptions(api);
  const [catalog, setCatalog] = useState<string[]>([]);
  const [managedId, setManagedId] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState("");
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    // Without the catalog the picker still works for existing types; the list shows any failure.
    api.listEventTypes({}).then(({ eventTypes }) => setCatalog(eventTypes), () => setCatalog([]));
  }, [api]);

  const sendTest = async (subscription: Subscription) => {
    setStatus(`Sending a test event to ${subscription.endpointUrl}…`);
    try {
      const { delivery } = await api.sendTestEvent({ subscriptionId: subscription.id });
      setStatus(`Test event sent: delivery ${delivery?.id ?? "?"} to ${subscription.endpointUrl}. Its outcome shows in Live and in the Delivery log.`);
    } catch (failure) {
      setStatus(`Could not send a test event to ${subscription.endpointUrl}: ${failureText(failure)}`);
    }
  };

  if (list.error !== undefined && isSessionOver(list.error)) return <ErrorNotice error={list.error} />;
  const managed = list.items.find((s) => s.id === managedId);
  const changed = (subscription: Subscription, message: string) => {
    list.put(subscription);
    setStatus(message);
  };

  return (
    <section aria-labelledby="endpoints-heading" class="endpoints-view">
      <div class="view-head">
        <h2 id="endpoints-heading">Endpoints</h2>
        <button
          type="button"
          onClick={() => {
            list.reload();
            setRefresh((n) => n + 1);
          }}
        >
          Refresh
        </button>
      </div>
      <p role="status" class="status">
        {status}
      </p>
      {list.loading && <p aria-busy="true">Loading endpoints…</p>}
      <ErrorNotice error={list.error} />
      {!list.loading && list.error === undefined && list.items.length === 0 && (
        <p class="empty">No endpoints yet. Add the URL that should receive your webhooks below.</p>
      )}
      {list.items.length > 0 && (
        <EndpointTable
          api={api}
          items={list.items}
          managedId={managedId}
          refresh={refresh}
          actions={{ onManage: (id) => setManagedId(id === managedId ? undefined : id), onTest: (s) => void sendTest(s) }}
        />
      )}
      {list.more && (
        <button type="button" onClick={list.loadMore}>
          Load more endpoints
        </button>
      )}
      {managed !== undefined && (
        <EndpointPanel
          api={api}
          subscription={managed}
          catalog={catalog}
          onChanged={changed}
          onDeleted={(id, message) => {
            list.remove(id);
            setManagedId(undefined);
            setStatus(message);
          }}
          onClose={() => setManagedId(undefined)}
        />
      )}
      <AddEndpoint api={api} catalog={catalog} onCreated={(s) => changed(s, `Added ${s.endpointUrl}.`)} />
    </section>
  );
}
