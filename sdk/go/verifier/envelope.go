package verifier

import (
	"bytes"
	"encoding/json"
	"math"
	"unicode/utf8"
)

// Envelope is the body Posthorn sends (contract, "Envelope"): canonical JSON with sorted keys.
// Unknown extra fields are ignored, so a newer server does not break an older receiver.
type Envelope struct {
	APIVersion string `json:"api_version"`
	CustomerID string `json:"customer_id"`
	// Data is the event's payload, a JSON object, as sent: unmarshal it into your own type.
	Data json.RawMessage `json:"data"`
	// ID is the event id, "evt_" + 24 lowercase hex.
	ID string `json:"id"`
	// Timestamp is when the event was emitted, unix seconds (not when this attempt was signed).
	Timestamp int64 `json:"timestamp"`
	// Type is the event type, e.g. "lead.created".
	Type string `json:"type"`
}

// ParseEnvelope parses an already verified body. It returns an [*Error] with
// [InvalidPayload] when the bytes are not UTF-8, not a JSON object, or a field is missing or
// of the wrong type.
func ParseEnvelope(payload []byte) (*Envelope, error) {
	if !utf8.Valid(payload) {
		return nil, invalidPayload("not valid UTF-8", nil)
	}
	var fields map[string]json.RawMessage
	decoder := json.NewDecoder(bytes.NewReader(payload))
	decoder.UseNumber()
	if err := decoder.Decode(&fields); err != nil || fields == nil {
		return nil, invalidPayload("not a JSON object", err)
	}
	if decoder.More() {
		return nil, invalidPayload("not a JSON object", nil)
	}
	env := &Envelope{}
	for name, target := range map[string]*string{
		"api_version": &env.APIVersion, "customer_id": &env.CustomerID, "id": &env.ID, "type": &env.Type,
	} {
		if err := json.Unmarshal(fields[name], target); err != nil || !isJSONString(fields[name]) {
			return nil, invalidPayload(`"`+name+`" must be a string`, err)
		}
	}
	var timestamp json.Number
	if err := json.Unmarshal(fields["timestamp"], &timestamp); err != nil {
		return nil, invalidPayload(`"timestamp" must be an integer (unix seconds)`, err)
	}
	seconds, err := timestamp.Float64()
	if err != nil || seconds != math.Trunc(seconds) || math.Abs(seconds) > maxUnixSeconds {
		return nil, invalidPayload(`"timestamp" must be an integer (unix seconds)`, err)
	}
	env.Timestamp = int64(seconds)
	if data := bytes.TrimSpace(fields["data"]); len(data) == 0 || data[0] != '{' {
		return nil, invalidPayload(`"data" must be a JSON object`, nil)
	}
	env.Data = fields["data"]
	return env, nil
}

func isJSONString(raw json.RawMessage) bool {
	trimmed := bytes.TrimSpace(raw)
	return len(trimmed) > 0 && trimmed[0] == '"'
}
