package verifier

import (
	"encoding/base64"
	"regexp"
	"strings"
)

// SecretPrefix starts Posthorn (and Standard Webhooks, Svix, Stripe) signing secrets.
const SecretPrefix = "whsec_"

var paddedBase64 = regexp.MustCompile(`^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$`)

func checkSecrets(secrets []string) error {
	if len(secrets) == 0 {
		return misuse("secrets must be a non-empty list of signing secrets")
	}
	for _, secret := range secrets {
		if secret == "" {
			return misuse("every secret must be a non-empty string")
		}
	}
	return nil
}

// standardWebhooksKeys decodes each secret's Standard Webhooks key: base64-decode of the
// part after "whsec_" (Standard Webhooks spec), validated strictly so a typo fails here
// instead of silently giving a short key. The error never contains the secret.
func standardWebhooksKeys(secrets []string) ([][]byte, error) {
	if err := checkSecrets(secrets); err != nil {
		return nil, err
	}
	keys := make([][]byte, len(secrets))
	for i, secret := range secrets {
		encoded := strings.TrimPrefix(secret, SecretPrefix)
		key, err := base64.StdEncoding.DecodeString(encoded)
		if encoded == "" || !paddedBase64.MatchString(encoded) || err != nil {
			return nil, misuse("a Standard Webhooks secret must be %q followed by standard, padded base64 "+
				"(the part after the prefix is decoded to get the HMAC key); secret %d is not (length %d)",
				SecretPrefix, i, len(secret))
		}
		keys[i] = key
	}
	return keys, nil
}
