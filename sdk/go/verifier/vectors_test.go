package verifier_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/posthorn/posthorn/sdk/go/verifier"
)

// The shared vectors (test/vectors/README.md): the TypeScript and Python verifiers run the
// same file, so the three cannot drift apart.
type vectors struct {
	Cases []struct {
		Name             string            `json:"name"`
		Secrets          []string          `json:"secrets"`
		Timestamp        int64             `json:"timestamp"`
		ID               string            `json:"id"`
		BodyBase64       string            `json:"body_base64"`
		V1Header         string            `json:"v1_header"`
		StandardWebhooks map[string]string `json:"standard_webhooks"`
	} `json:"cases"`
	Failures []struct {
		Name             string            `json:"name"`
		Scheme           string            `json:"scheme"`
		Secrets          []string          `json:"secrets"`
		BodyBase64       string            `json:"body_base64"`
		Header           string            `json:"header"`
		Headers          map[string]string `json:"headers"`
		Now              int64             `json:"now"`
		ToleranceSeconds int64             `json:"tolerance_seconds"`
		ExpectedReason   string            `json:"expected_reason"`
	} `json:"failures"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	path := os.Getenv("POSTHORN_VECTORS")
	if path == "" {
		path = filepath.Join("..", "..", "..", "test", "vectors", "signatures.json")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the shared vectors: %v", err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	if len(v.Cases) == 0 || len(v.Failures) == 0 {
		t.Fatalf("%s has no cases or no failures", path)
	}
	return v
}

func decodeBody(t *testing.T, b64 string) []byte {
	t.Helper()
	body, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("body_base64: %v", err)
	}
	return body
}

// rawHeaders keeps names exactly as the vector spells them (no canonicalization), which is
// what a hand-built map looks like; the verifier must still find them in any case.
func rawHeaders(m map[string]string) http.Header {
	h := http.Header{}
	for name, value := range m {
		h[name] = []string{value}
	}
	return h
}

func at(unix int64) verifier.Option {
	return verifier.WithClock(func() time.Time { return time.Unix(unix, 0) })
}

func TestVectorCases(t *testing.T) {
	for _, c := range loadVectors(t).Cases {
		t.Run(c.Name, func(t *testing.T) {
			body := decodeBody(t, c.BodyBase64)

			header, err := verifier.SignV1(c.Secrets, c.Timestamp, body)
			if err != nil || header != c.V1Header {
				t.Fatalf("SignV1 = %q, %v; want %q", header, err, c.V1Header)
			}
			sw, err := verifier.SignStandardWebhooks(c.Secrets, c.ID, c.Timestamp, body)
			if err != nil {
				t.Fatalf("SignStandardWebhooks: %v", err)
			}
			got := map[string]string{"webhook-id": sw.ID, "webhook-timestamp": sw.Timestamp, "webhook-signature": sw.Signature}
			for name, want := range c.StandardWebhooks {
				if got[name] != want {
					t.Errorf("SignStandardWebhooks %s = %q, want %q", name, got[name], want)
				}
			}

			secretLists := [][]string{c.Secrets}
			for _, s := range c.Secrets {
				secretLists = append(secretLists, []string{s})
			}
			for _, secrets := range secretLists {
				ts, err := verifier.VerifySignature(body, c.V1Header, secrets, at(c.Timestamp), verifier.WithTolerance(300*time.Second))
				if err != nil || ts != c.Timestamp {
					t.Errorf("VerifySignature with %d secret(s) = %d, %v", len(secrets), ts, err)
				}
				msg, err := verifier.VerifyStandardWebhook(body, rawHeaders(c.StandardWebhooks), secrets, at(c.Timestamp))
				if err != nil || msg.Timestamp != c.Timestamp || msg.ID != c.ID {
					t.Errorf("VerifyStandardWebhook with %d secret(s) = %+v, %v", len(secrets), msg, err)
				}
			}
		})
	}
}

func TestVectorFailures(t *testing.T) {
	for _, f := range loadVectors(t).Failures {
		t.Run(f.Scheme+"/"+f.Name, func(t *testing.T) {
			body := decodeBody(t, f.BodyBase64)
			opts := []verifier.Option{at(f.Now), verifier.WithTolerance(time.Duration(f.ToleranceSeconds) * time.Second)}
			var err error
			switch f.Scheme {
			case "v1":
				_, err = verifier.VerifySignature(body, f.Header, f.Secrets, opts...)
			case "standard_webhooks":
				_, err = verifier.VerifyStandardWebhook(body, rawHeaders(f.Headers), f.Secrets, opts...)
			default:
				t.Fatalf("unknown scheme %q", f.Scheme)
			}
			var verr *verifier.Error
			if !errors.As(err, &verr) {
				t.Fatalf("got %v, want a *verifier.Error with reason %s", err, f.ExpectedReason)
			}
			if string(verr.Reason) != f.ExpectedReason {
				t.Fatalf("reason = %s, want %s", verr.Reason, f.ExpectedReason)
			}
		})
	}
}
