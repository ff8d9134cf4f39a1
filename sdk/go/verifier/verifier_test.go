package verifier_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/posthorn/posthorn/sdk/go/verifier"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func reasonOf(t *testing.T, err error) verifier.Reason {
	t.Helper()
	var verr *verifier.Error
	if !errors.As(err, &verr) {
		t.Fatalf("got %v, want a *verifier.Error", err)
	}
	return verr.Reason
}

func TestVerifyWebhookParsesTheEnvelope(t *testing.T) {
	body := []byte(`{"api_version":"v1","customer_id":"cus_1","data":{"lead":7},"id":"evt_0123456789abcdef01234567","timestamp":1700000000,"type":"lead.created"}`)
	header, err := verifier.SignV1([]string{secret}, 1700000005, body)
	if err != nil {
		t.Fatal(err)
	}
	env, err := verifier.VerifyWebhook(body, header, []string{secret}, at(1700000005))
	if err != nil {
		t.Fatal(err)
	}
	if env.ID != "evt_0123456789abcdef01234567" || env.Type != "lead.created" || env.Timestamp != 1700000000 ||
		env.CustomerID != "cus_1" || env.APIVersion != "v1" || string(env.Data) != `{"lead":7}` {
		t.Fatalf("envelope = %+v", env)
	}
}

func TestVerifyWebhookRejectsAVerifiedBodyThatIsNoEnvelope(t *testing.T) {
	for _, body := range []string{`[]`, `{"id":1}`, "\xff", `{"api_version":"v1","customer_id":"c","data":[],"id":"e","timestamp":1,"type":"t"}`,
		`{"api_version":"v1","customer_id":"c","data":{},"id":"e","timestamp":1.5,"type":"t"}`} {
		header, _ := verifier.SignV1([]string{secret}, 1700000000, []byte(body))
		_, err := verifier.VerifyWebhook([]byte(body), header, []string{secret}, at(1700000000))
		if reasonOf(t, err) != verifier.InvalidPayload {
			t.Errorf("%q: reason %v, want invalid_payload", body, err)
		}
	}
}

func TestSignatureFailureIsReportedBeforeThePayload(t *testing.T) {
	_, err := verifier.VerifyWebhook([]byte(`not json`), "t=1700000000,v1=00", []string{secret}, at(1700000000))
	if reasonOf(t, err) != verifier.SignatureMismatch {
		t.Fatalf("got %v", err)
	}
}

func TestToleranceBoundaryAndExplicitZeroClock(t *testing.T) {
	body := []byte(`{}`)
	header, _ := verifier.SignV1([]string{secret}, 0, body)
	// An explicit clock at the epoch is honored (the reference treated 0 as "now").
	if _, err := verifier.VerifySignature(body, header, []string{secret}, at(0), verifier.WithTolerance(0)); err != nil {
		t.Fatalf("t=0 at now=0: %v", err)
	}
	header, _ = verifier.SignV1([]string{secret}, 1700000000, body)
	if _, err := verifier.VerifySignature(body, header, []string{secret}, at(1700000300)); err != nil {
		t.Fatalf("exactly 300 s old must pass: %v", err)
	}
	_, err := verifier.VerifySignature(body, header, []string{secret}, at(1700000301))
	if reasonOf(t, err) != verifier.StaleSignature {
		t.Fatalf("got %v", err)
	}
}

func TestMisuseIsNotAVerificationFailure(t *testing.T) {
	var verr *verifier.Error
	if _, err := verifier.NewStandardWebhooksVerifier([]string{"whsec_not base64!"}); err == nil || errors.As(err, &verr) {
		t.Errorf("invalid base64 secret: got %v, want a construction error", err)
	} else if strings.Contains(err.Error(), "not base64!") {
		t.Errorf("the error leaks the secret: %v", err)
	}
	if _, err := verifier.VerifySignature([]byte("{}"), "t=1,v1=00", nil); err == nil || errors.As(err, &verr) {
		t.Errorf("no secrets: got %v", err)
	}
	if _, err := verifier.VerifySignature([]byte("{}"), "t=1,v1=00", []string{secret}, verifier.WithTolerance(-time.Second)); err == nil || errors.As(err, &verr) {
		t.Errorf("negative tolerance: got %v", err)
	}
}

func TestStandardWebhooksHeaderNamesInAnyCaseButNotTwice(t *testing.T) {
	body := []byte(`{"a":1}`)
	headers, err := verifier.SignStandardWebhooks([]string{secret}, "msg_1", 1700000000, body)
	if err != nil {
		t.Fatal(err)
	}
	upper := http.Header{"WEBHOOK-ID": {headers.ID}, "Webhook-Timestamp": {headers.Timestamp}, "webhook-signature": {headers.Signature}}
	if msg, err := verifier.VerifyStandardWebhook(body, upper, []string{secret}, at(1700000000)); err != nil || msg.ID != "msg_1" {
		t.Fatalf("mixed-case names: %+v, %v", msg, err)
	}
	twice := headers.Header()
	twice.Add("webhook-id", "msg_2")
	_, err = verifier.VerifyStandardWebhook(body, twice, []string{secret}, at(1700000000))
	if reasonOf(t, err) != verifier.MalformedHeader {
		t.Fatalf("repeated webhook-id: %v", err)
	}
}

func TestStandardWebhooksVerifierEvent(t *testing.T) {
	body := []byte(`{"api_version":"v1","customer_id":"c","data":{},"id":"evt_0123456789abcdef01234567","timestamp":1700000000,"type":"lead.created"}`)
	v, err := verifier.NewStandardWebhooksVerifier([]string{secret}, at(1700000000), verifier.WithTolerance(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	headers, _ := v.Sign("evt_0123456789abcdef01234567", 1700000005, body)
	env, err := v.VerifyEvent(body, headers.Header())
	if err != nil || env.Type != "lead.created" {
		t.Fatalf("VerifyEvent = %+v, %v", env, err)
	}
	headers, _ = v.Sign("evt_0123456789abcdef01234567", 1700000011, body)
	if _, err := v.VerifyEvent(body, headers.Header()); reasonOf(t, err) != verifier.StaleSignature {
		t.Fatalf("11 s ahead with a 10 s tolerance: %v", err)
	}
	if _, err := verifier.NewStandardWebhooksVerifier([]string{secret}, verifier.WithTolerance(-1)); err == nil {
		t.Fatal("a negative tolerance must fail at construction")
	}
}
