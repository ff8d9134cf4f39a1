package verifier

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Standard Webhooks header names (lowercase; received names are matched in any case).
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// StandardWebhooksHeaders are the three headers of a Standard Webhooks request.
type StandardWebhooksHeaders struct {
	ID        string // webhook-id
	Timestamp string // webhook-timestamp, unix seconds
	Signature string // webhook-signature, "v1,<base64>" entries separated by a space
}

// Header returns the three headers as an http.Header.
func (h StandardWebhooksHeaders) Header() http.Header {
	header := http.Header{}
	header.Set(HeaderWebhookID, h.ID)
	header.Set(HeaderWebhookTimestamp, h.Timestamp)
	header.Set(HeaderWebhookSignature, h.Signature)
	return header
}

// StandardWebhook is a verified Standard Webhooks message.
type StandardWebhook struct {
	ID        string // the webhook-id (Posthorn sends the event id)
	Timestamp int64  // the signed time, unix seconds
}

// StandardWebhooksVerifier holds the decoded keys of a list of secrets; build it once with
// [NewStandardWebhooksVerifier] and share it (it is safe for concurrent use).
type StandardWebhooksVerifier struct {
	keys    [][]byte
	options options
}

// NewStandardWebhooksVerifier decodes each secret's key: base64-decode of the part after
// "whsec_" (Standard Webhooks spec). A secret that is not standard, padded base64 is an
// error here, not a failed verification later, and so is a negative tolerance.
func NewStandardWebhooksVerifier(secrets []string, opts ...Option) (*StandardWebhooksVerifier, error) {
	keys, err := standardWebhooksKeys(secrets)
	if err != nil {
		return nil, err
	}
	o, err := resolveOptions(opts)
	if err != nil {
		return nil, err
	}
	return &StandardWebhooksVerifier{keys: keys, options: o}, nil
}

// Sign returns the headers Posthorn sends for a message: one "v1,<base64>" entry per secret,
// in order, over "<id>.<timestamp>.<payload>". timestamp is unix seconds.
func (v *StandardWebhooksVerifier) Sign(id string, timestamp int64, payload []byte) (StandardWebhooksHeaders, error) {
	if id == "" || strings.ContainsAny(id, "\r\n") {
		return StandardWebhooksHeaders{}, misuse("the message id must be non-empty and on one line")
	}
	if timestamp < 0 || timestamp > maxUnixSeconds {
		return StandardWebhooksHeaders{}, misuse("timestamp must be unix seconds in [0, 2^53-1], got %d", timestamp)
	}
	entries := make([]string, len(v.keys))
	for i, key := range v.keys {
		entries[i] = "v1," + base64.StdEncoding.EncodeToString(standardWebhooksDigest(key, id, timestamp, payload))
	}
	return StandardWebhooksHeaders{
		ID:        id,
		Timestamp: strconv.FormatInt(timestamp, 10),
		Signature: strings.Join(entries, " "),
	}, nil
}

// Verify checks the Standard Webhooks headers against the raw body. headers may come from
// an http.Request or be built by hand: names are matched in any letter case, and a header
// sent twice (or under two spellings) is malformed_header. Entries other than v1 (e.g. v1a)
// are ignored; any v1 entry that matches any secret passes.
func (v *StandardWebhooksVerifier) Verify(payload []byte, headers http.Header) (StandardWebhook, error) {
	parsed, failed := parseStandardWebhooksHeaders(headers)
	if failed != nil {
		return StandardWebhook{}, failed
	}
	if !v.options.fresh(parsed.timestamp) {
		return StandardWebhook{}, failure(StaleSignature)
	}
	match := 0
	for _, key := range v.keys {
		expected := []byte(base64.StdEncoding.EncodeToString(standardWebhooksDigest(key, parsed.id, parsed.timestamp, payload)))
		for _, signature := range parsed.signatures {
			match |= subtle.ConstantTimeCompare(expected, []byte(signature))
		}
	}
	if match != 1 {
		return StandardWebhook{}, failure(SignatureMismatch)
	}
	return StandardWebhook{ID: parsed.id, Timestamp: parsed.timestamp}, nil
}

// VerifyEvent verifies like Verify, then parses the body into an [Envelope]; a body that
// verifies but is not an envelope gives an [*Error] with [InvalidPayload].
func (v *StandardWebhooksVerifier) VerifyEvent(payload []byte, headers http.Header) (*Envelope, error) {
	if _, err := v.Verify(payload, headers); err != nil {
		return nil, err
	}
	return ParseEnvelope(payload)
}

// SignStandardWebhooks is [NewStandardWebhooksVerifier] then Sign.
func SignStandardWebhooks(secrets []string, id string, timestamp int64, payload []byte) (StandardWebhooksHeaders, error) {
	v, err := NewStandardWebhooksVerifier(secrets)
	if err != nil {
		return StandardWebhooksHeaders{}, err
	}
	return v.Sign(id, timestamp, payload)
}

// VerifyStandardWebhook is [NewStandardWebhooksVerifier] then Verify. Prefer a verifier built
// once at start-up, so that a bad secret fails there.
func VerifyStandardWebhook(payload []byte, headers http.Header, secrets []string, opts ...Option) (StandardWebhook, error) {
	v, err := NewStandardWebhooksVerifier(secrets, opts...)
	if err != nil {
		return StandardWebhook{}, err
	}
	return v.Verify(payload, headers)
}

// VerifyStandardWebhookEvent is [NewStandardWebhooksVerifier] then VerifyEvent.
func VerifyStandardWebhookEvent(payload []byte, headers http.Header, secrets []string, opts ...Option) (*Envelope, error) {
	v, err := NewStandardWebhooksVerifier(secrets, opts...)
	if err != nil {
		return nil, err
	}
	return v.VerifyEvent(payload, headers)
}

func standardWebhooksDigest(key []byte, id string, timestamp int64, payload []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte{'.'})
	mac.Write(payload)
	return mac.Sum(nil)
}

type standardWebhooksHeader struct {
	id         string
	timestamp  int64
	signatures []string
}

// findHeader returns the one value of a header whose name equals lowerName in any letter
// case; ok is false when it is missing, repeated, or present under two spellings.
func findHeader(headers http.Header, lowerName string) (string, bool) {
	var found []string
	spellings := 0
	for name, values := range headers {
		if strings.EqualFold(name, lowerName) {
			spellings++
			found = values
		}
	}
	if spellings != 1 || len(found) != 1 {
		return "", false
	}
	return found[0], true
}

var (
	signatureEntry = regexp.MustCompile(`^([^,]+),([^,]+)$`)
	spaces         = regexp.MustCompile(`[ ]+`)
)

// parseStandardWebhooksHeaders reads the three headers (Standard Webhooks spec). A missing,
// empty or ambiguous header, or an entry that is not `<version>,<signature>`, is
// malformed_header; a timestamp that is not digits is bad_timestamp; no v1 entry is missing_v1.
func parseStandardWebhooksHeaders(headers http.Header) (standardWebhooksHeader, *Error) {
	id, okID := findHeader(headers, HeaderWebhookID)
	timestampText, okTimestamp := findHeader(headers, HeaderWebhookTimestamp)
	signatureText, okSignature := findHeader(headers, HeaderWebhookSignature)
	if !okID || !okTimestamp || !okSignature {
		return standardWebhooksHeader{}, failure(MalformedHeader)
	}
	id = jsTrim(id)
	signatureText = jsTrim(signatureText)
	if id == "" || signatureText == "" {
		return standardWebhooksHeader{}, failure(MalformedHeader)
	}
	var signatures []string
	for _, entry := range spaces.Split(signatureText, -1) {
		m := signatureEntry.FindStringSubmatch(entry)
		if m == nil {
			return standardWebhooksHeader{}, failure(MalformedHeader)
		}
		if m[1] == "v1" {
			signatures = append(signatures, m[2])
		}
	}
	timestamp, ok := parseUnixSeconds(jsTrim(timestampText))
	if !ok {
		return standardWebhooksHeader{}, failure(BadTimestamp)
	}
	if len(signatures) == 0 {
		return standardWebhooksHeader{}, failure(MissingV1)
	}
	return standardWebhooksHeader{id: id, timestamp: timestamp, signatures: signatures}, nil
}
