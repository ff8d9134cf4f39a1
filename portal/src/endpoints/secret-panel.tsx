import { useState } from "preact/hooks";
import type { GetSubscriptionSecretResponse, Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { CopyButton } from "../ui/copy-button.js";
import { ErrorNotice } from "../ui/error-notice.js";
import { formatTime } from "../ui/time.js";
import { RotateSecret } from "./rotate-secret.js";

/**
 * The endpoint's signing secret: hidden until the reader asks (GetSubscriptionSecret, which the
 * server records in the audit log), then the current value and the previous ones that are
 * still valid during a rotation's grace period, each with when it stops being used.
 */
export function SecretPanel({ api, subscription, revealed, onReveal, onRotated }: {
  api: Api;
  subscription: Subscription;
  revealed: GetSubscriptionSecretResponse | undefined;
  onReveal: (secrets: GetSubscriptionSecretResponse | undefined) => void;
  onRotated: (subscription: Subscription, secret: string) => void;
}) {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  // Subscription.secrets: current first, then previous ones newest first, as previous_secrets.
  const previousInfo = subscription.secrets.filter((info) => !info.current);

  const reveal = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onReveal(await api.getSubscriptionSecret({ id: subscription.id }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="secret-heading">
      <h4 id="secret-heading">Signing secret</h4>
      {revealed === undefined ? (
        <p>
          <span class="secret masked" aria-label="Secret hidden">
            whsec_••••••••••••
          </span>{" "}
          <button type="button" disabled={busy} onClick={() => void reveal()}>
            {busy ? "Revealing…" : "Reveal secret"}
          </button>
        </p>
      ) : (
        <>
          <p>
            <code class="secret">{revealed.secret}</code> <CopyButton text={revealed.secret} label="Copy secret" />{" "}
            <button type="button" onClick={() => onReveal(undefined)}>
              Hide secret
            </button>
          </p>
          {revealed.previousSecrets.length > 0 && (
            <>
              <p>Previous secrets, still valid during the grace period (requests carry a signature for each):</p>
              <ul>
                {revealed.previousSecrets.map((secret, i) => (
                  <li key={secret}>
                    <code class="secret">{secret}</code> until {formatTime(previousInfo[i]?.expireTime)}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      {revealed === undefined && previousInfo.length > 0 && (
        <p class="hint">A previous secret is still valid until {formatTime(subscription.previousSecretExpireTime)}.</p>
      )}
      <ErrorNotice error={error} />
      <RotateSecret api={api} subscriptionId={subscription.id} onRotated={onRotated} />
    </section>
  );
}
