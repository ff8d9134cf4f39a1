package verifier

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strconv"
	"strings"
)

// SignV1 returns the `<Brand>-Signature` header value Posthorn sends:
// `t=<timestamp>,v1=<hex>[,v1=<hex>…]`, one v1 per secret, in order. timestamp is unix
// seconds; each v1 is hex(HMAC-SHA256(key = the secret string as UTF-8 bytes, "whsec_"
// included, msg = "<t>." + payload)) (contract, Stripe-compatible).
func SignV1(secrets []string, timestamp int64, payload []byte) (string, error) {
	if err := checkSecrets(secrets); err != nil {
		return "", err
	}
	if timestamp < 0 || timestamp > maxUnixSeconds {
		return "", misuse("timestamp must be unix seconds in [0, 2^53-1], got %d", timestamp)
	}
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(strconv.FormatInt(timestamp, 10))
	for _, secret := range secrets {
		b.WriteString(",v1=")
		b.WriteString(hex.EncodeToString(v1Digest(secret, timestamp, payload)))
	}
	return b.String(), nil
}

func v1Digest(secret string, timestamp int64, payload []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte{'.'})
	mac.Write(payload)
	return mac.Sum(nil)
}

// VerifySignature checks a v1 signature header against the raw body and returns the signed
// time (unix seconds). payload must be the body exactly as received. Any v1 entry that equals
// the expected lowercase hex for any secret passes, so a header signed during a secret
// rotation verifies with the old secret, the new one, or both.
//
// A bad signature returns an [*Error] whose Reason is one of the contract's five; misuse
// (no secrets, a negative tolerance) returns another error.
func VerifySignature(payload []byte, header string, secrets []string, opts ...Option) (int64, error) {
	o, err := resolveOptions(opts)
	if err != nil {
		return 0, err
	}
	if err := checkSecrets(secrets); err != nil {
		return 0, err
	}
	parsed, failed := parseV1Header(header)
	if failed != nil {
		return 0, failed
	}
	if !o.fresh(parsed.timestamp) {
		return 0, failure(StaleSignature)
	}
	match := 0
	for _, secret := range secrets {
		expected := []byte(hex.EncodeToString(v1Digest(secret, parsed.timestamp, payload)))
		for _, signature := range parsed.signatures {
			// Every pair is compared, so the time taken does not say which one matched.
			match |= subtle.ConstantTimeCompare(expected, []byte(signature))
		}
	}
	if match != 1 {
		return 0, failure(SignatureMismatch)
	}
	return parsed.timestamp, nil
}

// VerifyWebhook verifies like [VerifySignature], then parses the body into an [Envelope].
// A body that verifies but is not an envelope gives an [*Error] with [InvalidPayload].
func VerifyWebhook(payload []byte, header string, secrets []string, opts ...Option) (*Envelope, error) {
	if _, err := VerifySignature(payload, header, secrets, opts...); err != nil {
		return nil, err
	}
	return ParseEnvelope(payload)
}
