package verifier_test

import (
	"errors"
	"io"
	"log"
	"net/http"

	"github.com/posthorn/posthorn/sdk/go/verifier"
)

// A receiver: read the raw body, verify it, then use the envelope.
func ExampleVerifyWebhook() {
	secrets := []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} // add the new one while rotating
	http.HandleFunc("/webhooks/posthorn", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		event, err := verifier.VerifyWebhook(body, r.Header.Get("Dealix-Signature"), secrets)
		var verr *verifier.Error
		if errors.As(err, &verr) {
			log.Printf("rejected webhook: %s", verr.Reason)
			http.Error(w, string(verr.Reason), http.StatusBadRequest)
			return
		} else if err != nil {
			log.Fatal(err) // misuse, e.g. no secrets configured
		}
		log.Printf("got %s %s", event.Type, event.ID)
		w.WriteHeader(http.StatusNoContent)
	})
}
