/**
 * Receiver code for the v1 scheme (`<Brand>-Signature: t=…,v1=…`, Stripe-compatible), one per
 * language. Each uses only functions the SDK READMEs and tests show: `verifyWebhook` and
 * `WebhookVerificationError` (sdk/verifier/README.md), `verify_webhook` (sdk/python/README.md),
 * `verifier.VerifyWebhook` (sdk/go/verifier/example_test.go), and Stripe's static
 * `Stripe.webhooks.constructEvent` (test/verifier/interop.test.ts checks that Stripe verifies our
 * headers). The secret is read from the environment: the README says to keep it out of code.
 */

/** Node (Express) with @posthorn/verifier. */
export function v1Node(header: string): string {
  return `import express from "express";
import { verifyWebhook, WebhookVerificationError } from "@posthorn/verifier";

const app = express();
const secret = process.env.POSTHORN_WEBHOOK_SECRET;

// express.raw, not express.json: the signature covers the raw body bytes.
app.post("/webhooks", express.raw({ type: "application/json" }), (req, res) => {
  let event;
  try {
    event = verifyWebhook({ payload: req.body, header: req.headers["${header.toLowerCase()}"], secrets: [secret] });
  } catch (error) {
    if (error instanceof WebhookVerificationError) return res.status(400).send(error.reason);
    throw error;
  }
  console.log(event.type, event.id, event.data);
  res.sendStatus(204);
});

app.listen(3000);
`;
}

/** Python (Flask) with the posthorn package's verifier. */
export function v1Python(header: string): string {
  return `import os

from flask import Flask, abort, request
from posthorn.verifier import WebhookVerificationError, verify_webhook

app = Flask(__name__)
secret = os.environ["POSTHORN_WEBHOOK_SECRET"]


@app.post("/webhooks")
def webhook():
    try:
        # get_data(): the raw body bytes, which the signature covers.
        event = verify_webhook(request.get_data(), request.headers.get("${header}"), [secret])
    except WebhookVerificationError as error:
        abort(400, error.reason)
    print(event["type"], event["id"], event["data"])
    return "", 204
`;
}

/** Go (net/http) with the Go SDK's verifier package. */
export function v1Go(header: string): string {
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
	secrets := []string{os.Getenv("POSTHORN_WEBHOOK_SECRET")}
	http.HandleFunc("/webhooks", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		event, err := verifier.VerifyWebhook(body, r.Header.Get("${header}"), secrets)
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

/** Node (Express) with Stripe's library: our v1 header is Stripe's scheme. */
export function v1Stripe(header: string): string {
  return `import express from "express";
import Stripe from "stripe";

const app = express();
const secret = process.env.POSTHORN_WEBHOOK_SECRET;

app.post("/webhooks", express.raw({ type: "application/json" }), (req, res) => {
  let event;
  try {
    // Stripe's check of "t=…,v1=…" (5 minutes' tolerance); no Stripe API key is needed.
    event = Stripe.webhooks.constructEvent(req.body, req.headers["${header.toLowerCase()}"], secret);
  } catch (error) {
    return res.status(400).send(String(error.message));
  }
  console.log(event.type, event.id, event.data);
  res.sendStatus(204);
});

app.listen(3000);
`;
}
