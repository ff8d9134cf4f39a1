import { useId } from "preact/hooks";
import { SignatureScheme } from "@posthorn/proto/schema";
import { schemeName, type Draft } from "./draft.js";
import { EventTypePicker } from "./event-type-picker.js";

/** The fields of the add and edit forms, controlled: every change goes through `onChange`. */
export function EndpointFields({ draft, catalog, onChange }: { draft: Draft; catalog: string[]; onChange: (draft: Draft) => void }) {
  const id = useId();
  return (
    <>
      <div class="field">
        <label for={`${id}-url`}>Endpoint URL</label>
        <input
          id={`${id}-url`}
          type="url"
          required
          placeholder="https://example.com/webhooks"
          value={draft.url}
          onInput={(e) => onChange({ ...draft, url: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for={`${id}-description`}>Description (optional)</label>
        <input
          id={`${id}-description`}
          type="text"
          maxLength={1024}
          value={draft.description}
          onInput={(e) => onChange({ ...draft, description: e.currentTarget.value })}
        />
      </div>
      <EventTypePicker catalog={catalog} picked={draft.eventTypes} onChange={(eventTypes) => onChange({ ...draft, eventTypes })} />
      <fieldset>
        <legend>Signature scheme</legend>
        {[SignatureScheme.V1, SignatureScheme.STANDARD_WEBHOOKS].map((scheme) => (
          <label key={scheme} class="check">
            <input
              type="radio"
              name={`${id}-scheme`}
              checked={draft.scheme === scheme}
              onChange={() => onChange({ ...draft, scheme })}
            />
            {schemeName(scheme)}
          </label>
        ))}
      </fieldset>
    </>
  );
}
