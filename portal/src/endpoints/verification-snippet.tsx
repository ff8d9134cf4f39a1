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
  /** How to start the code once saved (server.mjs, server.py or main.go). */
  run: string;
  code: (header: string) => string;
}

/**
 * The verifier packages are not on public registries yet: customers get them as files from their
 * provider (README, "For your customers"). So the setup never names a registry package of ours —
 * `posthorn` on PyPI, for one, is somebody else's project.
 */
const NODE_VERIFIER = "./posthorn-verifier-0.1.0.tgz  # the verifier package file from your webhook provider";
const PYTHON_VERIFIER = "./posthorn-0.1.0-py3-none-any.whl  # the verifier package file from your webhook provider";
const GO_VERIFIER =
  "# the Posthorn Go module, from the copy your webhook provider gives you:\ngo mod edit -replace github.com/posthorn/posthorn/sdk/go=./posthorn-go && go mod tidy";

const NODE = { install: `npm install express ${NODE_VERIFIER}`, run: "node server.mjs" };
const PYTHON = { install: `pip install flask ${PYTHON_VERIFIER}`, run: "flask --app server run --port 3000" };
const GO = { install: GO_VERIFIER, run: "go run ." };

const V1_SNIPPETS: Snippet[] = [
  { label: "Node", ...NODE, code: v1Node },
  { label: "Python", ...PYTHON, code: v1Python },
  { label: "Go", ...GO, code: v1Go },
  { label: "Stripe library", install: "npm install express stripe", run: NODE.run, code: v1Stripe },
];

const STANDARD_SNIPPETS: Snippet[] = [
  { label: "Node", ...NODE, code: standardNode },
  { label: "Python", ...PYTHON, code: standardPython },
  { label: "Go", ...GO, code: standardGo },
  { label: "Standard Webhooks library", install: "npm install express standardwebhooks", run: NODE.run, code: standardLibrary },
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
      <p class="hint">
        Save it as <code>{snippet.run.startsWith("node") ? "server.mjs" : snippet.run.startsWith("flask") ? "server.py" : "main.go"}</code> and
        run <code>{snippet.run}</code>.
      </p>
      {scheme !== SignatureScheme.STANDARD_WEBHOOKS && (
        <p class="hint">
          The code reads the signature from <code>{V1_HEADER}</code>, the default header name; if your requests carry it under
          another <code>…-Signature</code> name, use that one.
        </p>
      )}
    </section>
  );
}
