import { useId, useState } from "preact/hooks";
import type { Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { ErrorNotice } from "../ui/error-notice.js";
import { NewSecret } from "./new-secret.js";

/** Grace periods offered, in seconds (RotateSubscriptionSecretRequest: 0 to 604800; default 86400). */
const GRACE_PERIODS = [
  { seconds: 0, label: "None: the current secret stops working now (after a leak)" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86400, label: "24 hours" },
  { seconds: 604800, label: "7 days" },
];

/**
 * "Rotate secret" (RotateSubscriptionSecret) with a choice of how long the current secret stays
 * valid; the new secret is shown right away. Rotating with no grace period makes every request
 * signed for the old secret fail verification at once, so it asks for a second, explicit click
 * (like Delete).
 */
export function RotateSecret({ api, subscriptionId, onRotated }: {
  api: Api;
  subscriptionId: string;
  onRotated: (subscription: Subscription, secret: string) => void;
}) {
  const id = useId();
  const [grace, setGrace] = useState(86400);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);

  const rotate = async (event: Event) => {
    event.preventDefault();
    if (grace === 0 && !confirming) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    setBusy(true);
    setError(undefined);
    try {
      const rotated = await api.rotateSubscriptionSecret({ id: subscriptionId, gracePeriodSeconds: grace });
      setSecret(rotated.secret);
      if (rotated.subscription !== undefined) onRotated(rotated.subscription, rotated.secret);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="rotate" onSubmit={(e) => void rotate(e)}>
      <div class="field">
        <label for={`${id}-grace`}>Keep the current secret valid for</label>
        <select id={`${id}-grace`} value={String(grace)} onChange={(e) => {
            setGrace(Number(e.currentTarget.value));
            setConfirming(false);
          }}>
          {GRACE_PERIODS.map((period) => (
            <option key={period.seconds} value={String(period.seconds)}>
              {period.label}
            </option>
          ))}
        </select>
      </div>
      {confirming ? (
        <div role="alert">
          <p>From now on requests carry only the new signature: your endpoint rejects them until it uses the new secret.</p>
          <button type="submit" class="danger" disabled={busy}>
            Yes, rotate now
          </button>{" "}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="submit" disabled={busy}>
          {busy ? "Rotating…" : "Rotate secret"}
        </button>
      )}
      <ErrorNotice error={error} />
      {secret !== undefined && <NewSecret secret={secret} title="New signing secret" onDone={() => setSecret(undefined)} />}
    </form>
  );
}
