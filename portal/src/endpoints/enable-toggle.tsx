import { useState } from "preact/hooks";
import type { Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { failureText } from "../ui/error-notice.js";

/**
 * "Disable" / "Enable" (UpdateSubscription with the mask `enabled`). The button's description
 * says that disabling cancels the endpoint's pending deliveries (the API's rule).
 */
export function EnableToggle({ api, subscription, onChanged }: {
  api: Api;
  subscription: Subscription;
  onChanged: (subscription: Subscription, status: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const enable = !subscription.enabled;

  const toggle = async () => {
    setBusy(true);
    try {
      const answer = await api.updateSubscription({ subscription: { id: subscription.id, enabled: enable }, updateMask: { paths: ["enabled"] } });
      const updated = answer.subscription ?? subscription;
      onChanged(
        updated,
        enable ? `Enabled ${updated.endpointUrl}.` : `Disabled ${updated.endpointUrl}; ${answer.canceledDeliveries} pending deliveries canceled.`,
      );
    } catch (failure) {
      onChanged(subscription, `Could not ${enable ? "enable" : "disable"} the endpoint: ${failureText(failure)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" disabled={busy} aria-describedby={enable ? undefined : "disable-note"} onClick={() => void toggle()}>
        {enable ? "Enable" : "Disable"}
      </button>
      {!enable && (
        <span id="disable-note" class="hint">
          Disabling cancels its pending deliveries.
        </span>
      )}
    </>
  );
}
