import { useState } from "preact/hooks";
import type { Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { ErrorNotice } from "../ui/error-notice.js";
import { changedPaths, draftOf, type Draft } from "./draft.js";
import { EndpointFields } from "./endpoint-fields.js";

/**
 * The edit form (UpdateSubscription): the update mask names only the fields that changed, so a
 * concurrent change to another field is not overwritten. Refusals show the server's message.
 */
export function EditEndpoint({ api, subscription, catalog, onSaved, onCancel }: {
  api: Api;
  subscription: Subscription;
  catalog: string[];
  onSaved: (subscription: Subscription) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(subscription));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const paths = changedPaths(subscription, draft);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (paths.length === 0) return onCancel();
    setBusy(true);
    setError(undefined);
    try {
      const { subscription: updated } = await api.updateSubscription({
        subscription: {
          id: subscription.id,
          endpointUrl: draft.url.trim(),
          description: draft.description,
          eventTypes: draft.eventTypes,
          signatureScheme: draft.scheme,
        },
        updateMask: { paths },
      });
      if (updated !== undefined) onSaved(updated);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form noValidate class="card" aria-label="Edit endpoint" onSubmit={(e) => void submit(e)}>
      <EndpointFields draft={draft} catalog={catalog} onChange={setDraft} />
      <div class="buttons">
        <button type="submit" disabled={busy || paths.length === 0}>
          {busy ? "Saving…" : "Save changes"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}
