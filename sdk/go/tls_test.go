package posthorn_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	posthorn "github.com/posthorn/posthorn/sdk/go"
	posthornv1 "github.com/posthorn/posthorn/sdk/go/gen/posthorn/v1"
	"github.com/posthorn/posthorn/sdk/go/internal/testserver"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// testPKI is a CA and the PEM files of a server certificate (127.0.0.1, ::1, localhost) and a
// client certificate it signed, in a temporary folder.
type testPKI struct {
	caFile, serverCert, serverKey, clientCert, clientKey string
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, caCert := issue(t, nil, nil, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Posthorn Go test CA"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	})
	serverKey, serverCert := issue(t, caKey, caCert, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature,
	})
	clientKey, clientCert := issue(t, caKey, caCert, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "posthorn-go-test-client"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature,
	})
	write := func(name, kind string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	keyDER := func(key *ecdsa.PrivateKey) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	return testPKI{
		caFile:     write("ca.pem", "CERTIFICATE", caCert.Raw),
		serverCert: write("server.pem", "CERTIFICATE", serverCert.Raw),
		serverKey:  write("server.key", "PRIVATE KEY", keyDER(serverKey)),
		clientCert: write("client.pem", "CERTIFICATE", clientCert.Raw),
		clientKey:  write("client.key", "PRIVATE KEY", keyDER(clientKey)),
	}
}

// issue makes a P-256 key and a certificate from template, signed by parent (self-signed when nil), valid for a day.
func issue(t *testing.T, parentKey *ecdsa.PrivateKey, parent *x509.Certificate, template *x509.Certificate) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	template.SerialNumber = serial
	template.NotBefore = time.Now().Add(-time.Hour)
	template.NotAfter = time.Now().Add(24 * time.Hour)
	if parent == nil {
		parent, parentKey = template, key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

// TestMutualTLS starts the real server with TLS and a client CA (mTLS): a client with the CA
// and a client certificate is served; one without the certificate, one that does not trust
// the CA, and a plaintext one are refused with UNAVAILABLE.
func TestMutualTLS(t *testing.T) {
	pki := newTestPKI(t)
	address := testserver.Start(t,
		"POSTHORN_TLS_CERT_FILE="+pki.serverCert,
		"POSTHORN_TLS_KEY_FILE="+pki.serverKey,
		"POSTHORN_TLS_CLIENT_CA_FILE="+pki.caFile,
	)
	call := func(opts ...posthorn.Option) error {
		client, err := posthorn.Dial(address, append([]posthorn.Option{posthorn.WithAPIKey(testserver.AdminKey), posthorn.WithMaxAttempts(1)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err = client.ListEventTypes(ctx, &posthornv1.ListEventTypesRequest{})
		return err
	}

	if err := call(posthorn.WithCAFile(pki.caFile), posthorn.WithClientCertificateFiles(pki.clientCert, pki.clientKey)); err != nil {
		t.Fatalf("with the CA and a client certificate: %v", err)
	}
	refusals := map[string][]posthorn.Option{
		"no client certificate":   {posthorn.WithCAFile(pki.caFile)},
		"CA not trusted":          {posthorn.WithClientCertificateFiles(pki.clientCert, pki.clientKey)},
		"plaintext (the default)": nil,
	}
	for name, opts := range refusals {
		if err := call(opts...); status.Code(err) != codes.Unavailable {
			t.Errorf("%s: got %v, want UNAVAILABLE", name, err)
		}
	}
}
