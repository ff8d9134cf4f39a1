package verifier

import (
	"regexp"
	"strconv"
	"strings"
)

// maxUnixSeconds is 2^53 − 1, the largest timestamp every implementation (JavaScript's
// safe integers included) reads exactly.
const maxUnixSeconds = 1<<53 - 1

var digits = regexp.MustCompile(`^[0-9]+$`)

// parseUnixSeconds reads a timestamp as sent: decimal digits only (no sign, fraction or
// exponent), at most 2^53 − 1.
func parseUnixSeconds(text string) (int64, bool) {
	if !digits.MatchString(text) {
		return 0, false
	}
	value, err := strconv.ParseInt(text, 10, 64)
	if err != nil || value > maxUnixSeconds {
		return 0, false
	}
	return value, true
}

// v1Part is one `key=value` part: spaces and tabs allowed around the part and the `=`; the key
// is [A-Za-z0-9_-]+; the value printable ASCII without space, `,` or `=`. So `t=123=junk`,
// `v1`, `v1=` and `v1=ab cd` are all malformed.
var v1Part = regexp.MustCompile(`^[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*([\x21-\x2B\x2D-\x3C\x3E-\x7E]+)[ \t]*$`)

type v1Header struct {
	timestamp  int64
	signatures []string
}

// parseV1Header parses `t=<unix>,v1=<hex>[,v1=<hex>…]` (contract; Stripe's format): lenient
// about spaces around separators, strict about each part, case-sensitive keys, unknown
// schemes (v0=…) ignored.
func parseV1Header(header string) (v1Header, *Error) {
	if header == "" {
		return v1Header{}, failure(MalformedHeader)
	}
	var timestampText string
	haveTimestamp := false
	var signatures []string
	for _, part := range strings.Split(header, ",") {
		m := v1Part.FindStringSubmatch(part)
		if m == nil {
			return v1Header{}, failure(MalformedHeader)
		}
		switch m[1] {
		case "t":
			if haveTimestamp {
				return v1Header{}, failure(MalformedHeader)
			}
			timestampText, haveTimestamp = m[2], true
		case "v1":
			signatures = append(signatures, m[2])
		}
	}
	if !haveTimestamp {
		return v1Header{}, failure(MalformedHeader)
	}
	timestamp, ok := parseUnixSeconds(timestampText)
	if !ok {
		return v1Header{}, failure(BadTimestamp)
	}
	if len(signatures) == 0 {
		return v1Header{}, failure(MissingV1)
	}
	return v1Header{timestamp: timestamp, signatures: signatures}, nil
}

// jsTrim trims what JavaScript's String.prototype.trim trims (WhiteSpace and
// LineTerminator), so the three implementations read headers identically.
func jsTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		switch r {
		case '\t', '\n', '\v', '\f', '\r', ' ', 0x00A0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
			return true
		}
		return r >= 0x2000 && r <= 0x200A
	})
}
