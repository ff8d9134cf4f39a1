import { useState } from "preact/hooks";
import { SignatureScheme } from "@posthorn/proto/schema";
import { CopyButton } from "../ui/copy-button.js";
import { standardGo, standardLibrary, standardNode, standardPython } from "./snippets-standard.js";
import { v1Go, v1Node, v1Python, v1Stripe } from "./snippets-v1.js";

/**
 * The v1 signature header under the contract's default brand. The page cannot know a server's
 * POSTHORN_BRAND (no API returns it), so the note under the code says what to change.
 */
const V1_HEADER = "Dealix-Signature";
const PLACEHOLDER = "whsec_REPLACE_WITH_YOUR_SECRET";

interface Snippet {
  label: string;
  install: string;
  code: (header: string) => string;
}

const V1_SNIPPETS: Snippet[] = [
  { label: "Node", install: "npm install express @posthorn/verifier", code: v1Node },
  { label: "Python", install: "pip install flask posthorn", code: v1Python },
  { label: "Go", install: "go get github.com/posthorn/posthorn/sdk/go", code: v1Go },
  { label: "Stripe library", install: "npm install express stripe", code: v1Stripe },
];

const STANDARD_SNIPPETS: Snippet[] = [
  { label: "Node", install: "npm install express @posthorn/verifier", code: standardNode },
  { label: "Python", install: "pip install flask posthorn", code: standardPython },
  { label: "Go", install: "go get github.com/posthorn/posthorn/sdk/go", code: standardGo },
  { label: "Standard Webhooks library", install: "npm install express standardwebhooks", code: standardLibrary },
];

/**
 * Copy-pasteable receiver code for the endpoint's signature scheme, with the secret as an
 * environment variable: its value when the reader revealed it, a placeholder otherwise.
 */
export function VerificationSnippet({ scheme, secret }: { scheme: SignatureScheme; secret: string | undefined }) {
  const snippets = scheme === SignatureScheme.STANDARD_WEBHOOKS ? STANDARD_SNIPPETS : V1_SNIPPETS;
  const [index, setIndex] = useState(0);
  const snippet = snippets[index] ?? snippets[0]!;
  const setup = `${snippet.install}\nexport POSTHORN_WEBHOOK_SECRET='${secret ?? PLACEHOLDER}'`;
  const code = snippet.code(V1_HEADER);
  return (
    <section class="snippet" aria-labelledby="snippet-heading">
      <h4 id="snippet-heading">Verify the signature</h4>
      <div role="group" aria-label="Language" class="choices">
        {snippets.map((candidate, i) => (
          <button key={candidate.label} type="button" aria-pressed={i === index} onClick={() => setIndex(i)}>
            {candidate.label}
          </button>
        ))}
      </div>
      <p>Set up{secret === undefined ? " (reveal the secret to fill it in)" : ""}:</p>
      <pre aria-label="Setup commands">
        <code>{setup}</code>
      </pre>
      <CopyButton text={setup} label="Copy setup commands" />
      <pre aria-label={`${snippet.label} code`}>
        <code>{code}</code>
      </pre>
      <CopyButton text={code} label="Copy code" />
      {scheme !== SignatureScheme.STANDARD_WEBHOOKS && (
        <p class="hint">
          If your requests carry the signature under another header name (<code>…-Signature</code>), use that name.
        </p>
      )}
    </section>
  );
}
