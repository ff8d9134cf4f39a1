import { useEffect, useRef, useState } from "preact/hooks";
import type { GetSubscriptionSecretResponse, Subscription } from "@posthorn/proto/schema";
import type { Api } from "../api.js";
import { formatTime } from "../ui/time.js";
import { DeleteEndpoint } from "./delete-endpoint.js";
import { EditEndpoint } from "./edit-endpoint.js";
import { EnableToggle } from "./enable-toggle.js";
import { SecretPanel } from "./secret-panel.js";
import { VerificationSnippet } from "./verification-snippet.js";

type Mode = "view" | "edit" | "delete";

/**
 * One endpoint's management: edit, enable/disable, delete (with a confirm step), its signing
 * secret and the verification code for its scheme. Focus moves to the heading when it opens.
 */
export function EndpointPanel({ api, subscription, catalog, onChanged, onDeleted, onClose }: {
  api: Api;
  subscription: Subscription;
  catalog: string[];
  onChanged: (subscription: Subscription, status: string) => void;
  onDeleted: (id: string, status: string) => void;
  onClose: () => void;
}) {
  const [mode, setMode] = useState<Mode>("view");
  const [revealed, setRevealed] = useState<GetSubscriptionSecretResponse | undefined>(undefined);
  const [known, setKnown] = useState<string | undefined>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);
  const s = subscription;

  useEffect(() => {
    heading.current?.focus();
    setMode("view");
    setRevealed(undefined);
    setKnown(undefined);
  }, [s.id]);

  return (
    <section id="endpoint-panel" class="card panel" aria-labelledby="endpoint-panel-heading">
      <h3 id="endpoint-panel-heading" tabIndex={-1} ref={heading}>
        Manage <span class="url">{s.endpointUrl}</span>
      </h3>
      <dl class="facts">
        <dt>Id</dt>
        <dd>
          <code>{s.id}</code>
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(s.createTime)}</dd>
        <dt>Changed</dt>
        <dd>{formatTime(s.updateTime)}</dd>
      </dl>
      <div class="buttons">
        <button type="button" aria-pressed={mode === "edit"} onClick={() => setMode(mode === "edit" ? "view" : "edit")}>
          Edit
        </button>
        <EnableToggle api={api} subscription={s} onChanged={onChanged} />
        <button type="button" class="danger" onClick={() => setMode("delete")}>
          Delete
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {mode === "edit" && (
        <EditEndpoint
          api={api}
          subscription={s}
          catalog={catalog}
          onSaved={(updated) => {
            setMode("view");
            onChanged(updated, `Saved changes to ${updated.endpointUrl}.`);
          }}
          onCancel={() => setMode("view")}
        />
      )}
      {mode === "delete" && (
        <DeleteEndpoint
          api={api}
          subscription={s}
          onDeleted={(canceled) => onDeleted(s.id, `Deleted ${s.endpointUrl}; ${canceled} pending deliveries canceled.`)}
          onCancel={() => setMode("view")}
        />
      )}
      <SecretPanel
        api={api}
        subscription={s}
        revealed={revealed}
        onReveal={(secrets) => {
          setRevealed(secrets);
          setKnown(secrets?.secret);
        }}
        onRotated={(rotated, secret) => {
          setRevealed(undefined);
          setKnown(secret);
          onChanged(rotated, `Rotated the signing secret of ${rotated.endpointUrl}.`);
        }}
      />
      <VerificationSnippet scheme={s.signatureScheme} secret={known} />
    </section>
  );
}
