import { useEffect, useRef, useState } from "preact/hooks";
import type { Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { ErrorNotice } from "../ui/error-notice.js";

/**
 * The in-page confirmation before DeleteSubscription (no window.confirm: it blocks the page and
 * cannot be styled or tested like the rest). Focus starts on "Cancel", the safe choice.
 */
export function DeleteEndpoint({ api, subscription, onDeleted, onCancel }: {
  api: Api;
  subscription: Subscription;
  onDeleted: (canceledDeliveries: number) => void;
  onCancel: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);

  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { canceledDeliveries } = await api.deleteSubscription({ id: subscription.id });
      onDeleted(canceledDeliveries);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <div class="card danger" role="group" aria-labelledby="delete-heading">
      <p id="delete-heading">
        <strong>Delete {subscription.endpointUrl}?</strong> Its pending deliveries are canceled; its past deliveries stay in the
        delivery log. This cannot be undone.
      </p>
      <div class="buttons">
        <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
          {busy ? "Deleting…" : "Yes, delete endpoint"}
        </button>
        <button type="button" ref={cancel} onClick={onCancel}>
          Cancel
        </button>
      </div>
      <ErrorNotice error={error} />
    </div>
  );
}
