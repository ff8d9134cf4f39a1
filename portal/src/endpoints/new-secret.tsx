import { CopyButton } from "../ui/copy-button.js";

/** A signing secret just issued (by Subscribe or a rotation), shown with a copy button. */
export function NewSecret({ secret, title, onDone }: { secret: string; title: string; onDone?: () => void }) {
  return (
    <div class="secret-box" role="region" aria-label={title}>
      <p>
        <strong>{title}</strong>: copy it into your endpoint's configuration now.
      </p>
      <p>
        <code class="secret">{secret}</code>
      </p>
      <CopyButton text={secret} label="Copy secret" />
      {onDone !== undefined && (
        <button type="button" onClick={onDone}>
          Done
        </button>
      )}
    </div>
  );
}
