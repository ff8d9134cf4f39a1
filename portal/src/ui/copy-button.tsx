import { useState } from "preact/hooks";

/**
 * A button that copies `text` to the clipboard and says so in a polite live region next to it
 * ("Copied" or why it could not). `label` names what is copied, e.g. "Copy secret".
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [status, setStatus] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setStatus("Copied.");
    } catch {
      // The Clipboard API needs a secure context (https or localhost) and the page's focus.
      setStatus("Could not copy: select the text and copy it by hand.");
    }
  };
  return (
    <span class="copy">
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" class="copy-status">
        {status}
      </span>
    </span>
  );
}
