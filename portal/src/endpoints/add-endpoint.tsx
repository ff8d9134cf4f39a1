import { useState } from "preact/hooks";
import type { Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { ErrorNotice } from "../ui/error-notice.js";
import { EMPTY_DRAFT, type Draft } from "./draft.js";
import { EndpointFields } from "./endpoint-fields.js";
import { NewSecret } from "./new-secret.js";

/**
 * The "Add an endpoint" form (Subscribe). A refusal is shown under the form with the server's
 * message, which names the field (e.g. `endpoint_url: …`). On success the new signing secret is
 * shown until the reader dismisses it.
 */
export function AddEndpoint({ api, catalog, onCreated }: { api: Api; catalog: string[]; onCreated: (subscription: Subscription) => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [secret, setSecret] = useState<string | undefined>(undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.subscribe({
        endpointUrl: draft.url.trim(),
        description: draft.description,
        eventTypes: draft.eventTypes,
        signatureScheme: draft.scheme,
      });
      setSecret(created.secret);
      setDraft(EMPTY_DRAFT);
      if (created.subscription !== undefined) onCreated(created.subscription);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="add-endpoint-heading">
      <h3 id="add-endpoint-heading">Add an endpoint</h3>
      {secret !== undefined && <NewSecret secret={secret} title="The new endpoint's signing secret" onDone={() => setSecret(undefined)} />}
      {/* noValidate: the server checks the URL and its message names the field and the rule. */}
      <form noValidate onSubmit={(e) => void submit(e)}>
        <EndpointFields draft={draft} catalog={catalog} onChange={setDraft} />
        <button type="submit" disabled={busy}>
          {busy ? "Adding…" : "Add endpoint"}
        </button>
        <ErrorNotice error={error} />
      </form>
    </section>
  );
}
