package verifier_test

import (
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/posthorn/posthorn/sdk/go/verifier"
)

// Our Standard Webhooks headers must verify with the reference Go library, and its headers
// with ours, for every shared vector and every secret.
func TestStandardWebhooksLibraryAgrees(t *testing.T) {
	for _, c := range loadVectors(t).Cases {
		body := decodeBody(t, c.BodyBase64)
		for _, secret := range c.Secrets {
			reference, err := standardwebhooks.NewWebhook(secret)
			if err != nil {
				t.Fatalf("%s: standardwebhooks.NewWebhook: %v", c.Name, err)
			}

			ours, err := verifier.SignStandardWebhooks(c.Secrets, c.ID, c.Timestamp, body)
			if err != nil {
				t.Fatal(err)
			}
			// The vectors' timestamps are fixed, so the library's own clock check is skipped.
			if err := reference.VerifyIgnoringTimestamp(body, ours.Header()); err != nil {
				t.Errorf("%s: the standardwebhooks library rejects our headers: %v", c.Name, err)
			}

			theirSignature, err := reference.Sign(c.ID, time.Unix(c.Timestamp, 0), body)
			if err != nil {
				t.Fatal(err)
			}
			theirs := verifier.StandardWebhooksHeaders{ID: c.ID, Timestamp: ours.Timestamp, Signature: theirSignature}
			if _, err := verifier.VerifyStandardWebhook(body, theirs.Header(), []string{secret}, at(c.Timestamp)); err != nil {
				t.Errorf("%s: we reject the standardwebhooks library's headers: %v", c.Name, err)
			}
		}
	}
}
