/**
 * Receiver code for the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`), one per language. Each uses only functions the SDK READMEs and tests
 * show: `createStandardWebhooksVerifier` (sdk/verifier/README.md), `StandardWebhooksVerifier`
 * (sdk/python/src/posthorn/verifier), `verifier.NewStandardWebhooksVerifier` (sdk/go/verifier),
 * and the `standardwebhooks` package's `Webhook` (test/verifier/interop.test.ts checks that it
 * verifies our headers).
 */

/** Node (Express) with @posthorn/verifier. */
export function standardNode(): string {
  return `import express from "express";
import { createStandardWebhooksVerifier, WebhookVerificationError } from "@posthorn/verifier";

const app = express();
// At start-up: a secret that is not "whsec_" + valid base64 throws here, not later.
const verifier = createStandardWebhooksVerifier({ secrets: [process.env.POSTHORN_WEBHOOK_SECRET] });

// express.raw, not express.json: the signature covers the raw body bytes.
app.post("/webhooks", express.raw({ type: "application/json" }), (req, res) => {
  let event;
  try {
    event = verifier.verifyEvent({ payload: req.body, headers: req.headers });
  } catch (error) {
    if (error instanceof WebhookVerificationError) return res.status(400).send(error.reason);
    throw error;
  }
  // req.headers["webhook-id"] is the same for every retry: use it to drop duplicates.
  console.log(event.type, event.id, event.data);
  res.sendStatus(204);
});

app.listen(3000);
`;
}

/** Python (Flask) with the posthorn package's verifier. */
export function standardPython(): string {
  return `import os

from flask import Flask, abort, request
from posthorn.verifier import StandardWebhooksVerifier, WebhookVerificationError

app = Flask(__name__)
verifier = StandardWebhooksVerifier([os.environ["POSTHORN_WEBHOOK_SECRET"]])


@app.post("/webhooks")
def webhook():
    try:
        # get_data(): the raw body bytes, which the signature covers.
        event = verifier.verify_event(request.get_data(), request.headers)
    except WebhookVerificationError as error:
        abort(400, error.reason)
    print(event["type"], event["id"], event["data"])
    return "", 204
`;
}

/** Go (net/http) with the Go SDK's verifier package. */
export function standardGo(): string {
  return `package main

import (
	"errors"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/posthorn/posthorn/sdk/go/verifier"
)

func main() {
	v, err := verifier.NewStandardWebhooksVerifier([]string{os.Getenv("POSTHORN_WEBHOOK_SECRET")})
	if err != nil {
		log.Fatal(err) // the secret is not "whsec_" + valid base64
	}
	http.HandleFunc("/webhooks", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		event, err := v.VerifyEvent(body, r.Header)
		var verr *verifier.Error
		if errors.As(err, &verr) {
			http.Error(w, string(verr.Reason), http.StatusBadRequest)
			return
		} else if err != nil {
			log.Printf("webhook verifier: %v", err) // misuse, e.g. an empty secret
			http.Error(w, "server error", http.StatusInternalServerError)
			return
		}
		log.Printf("got %s %s", event.Type, event.ID)
		w.WriteHeader(http.StatusNoContent)
	})
	log.Fatal(http.ListenAndServe(":3000", nil))
}
`;
}

/** Node (Express) with the Standard Webhooks reference library. */
export function standardLibrary(): string {
  return `import express from "express";
import { Webhook } from "standardwebhooks";

const app = express();
const webhook = new Webhook(process.env.POSTHORN_WEBHOOK_SECRET);

app.post("/webhooks", express.raw({ type: "application/json" }), (req, res) => {
  let event;
  try {
    // Checks webhook-id, webhook-timestamp and webhook-signature; returns the parsed body.
    event = webhook.verify(req.body, req.headers);
  } catch (error) {
    return res.status(400).send(String(error.message));
  }
  console.log(event.type, event.id, event.data);
  res.sendStatus(204);
});

app.listen(3000);
`;
}
