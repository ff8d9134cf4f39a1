package verifier

import "fmt"

// Reason says why a signature did not verify. The checks run in this order and the first
// failure is reported (contract, "Verification"):
//   - [MalformedHeader]: the signature header is missing, empty, or a part does not parse;
//   - [BadTimestamp]: the timestamp is not a whole number of unix seconds (digits only, ≤ 2^53−1);
//   - [MissingV1]: the header parses but carries no v1 signature;
//   - [StaleSignature]: |now − timestamp| > tolerance (too old or too far in the future);
//   - [SignatureMismatch]: no v1 signature matches any of the secrets.
//
// [InvalidPayload] comes only from [VerifyWebhook], after the signature has verified, when
// the body is not a Posthorn event envelope.
type Reason string

const (
	MalformedHeader   Reason = "malformed_header"
	BadTimestamp      Reason = "bad_timestamp"
	MissingV1         Reason = "missing_v1"
	StaleSignature    Reason = "stale_signature"
	SignatureMismatch Reason = "signature_mismatch"
	InvalidPayload    Reason = "invalid_payload"
)

var descriptions = map[Reason]string{
	MalformedHeader:   "the signature header is missing or does not parse",
	BadTimestamp:      "the signature timestamp is not a whole number of unix seconds",
	MissingV1:         "the signature header carries no v1 signature",
	StaleSignature:    "the signature timestamp is outside the tolerance (too old or too far in the future)",
	SignatureMismatch: "no v1 signature matches the secrets; pass the raw request body exactly as received, not a parsed and re-serialized object",
	InvalidPayload:    "the signature is valid but the body is not a Posthorn event envelope",
}

// Describe returns a human-readable sentence for a reason: for logs, not for parsing.
func (r Reason) Describe() string { return descriptions[r] }

// Error is the one error a failed verification returns. Branch on Reason (errors.As), never
// on the message. Misuse (no secrets, a Standard Webhooks secret that is not base64, a
// negative tolerance) returns a plain error instead, never an *Error.
type Error struct {
	Reason Reason
	detail string
	err    error
}

func (e *Error) Error() string {
	msg := "posthorn webhook verification failed: " + string(e.Reason) + ": " + e.Reason.Describe()
	if e.detail != "" {
		msg += ": " + e.detail
	}
	return msg
}

// Unwrap returns the cause of an [InvalidPayload] error (e.g. the JSON syntax error).
func (e *Error) Unwrap() error { return e.err }

func failure(reason Reason) *Error { return &Error{Reason: reason} }

func invalidPayload(detail string, cause error) *Error {
	return &Error{Reason: InvalidPayload, detail: detail, err: cause}
}

func misuse(format string, args ...any) error {
	return fmt.Errorf("posthorn verifier: "+format, args...)
}
