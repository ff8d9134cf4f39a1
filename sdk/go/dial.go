package posthorn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	posthornv1 "github.com/posthorn/posthorn/sdk/go/gen/posthorn/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// DefaultTimeout is the deadline [Dial] puts on a unary call whose context has none.
const DefaultTimeout = 10 * time.Second

// DefaultMaxAttempts is how many times a call is tried in all when the server answers
// UNAVAILABLE (gRPC's retry policy, with exponential backoff from 100 ms to 2 s).
const DefaultMaxAttempts = 4

// MaxSendMessageBytes is the largest request message a client sends: what the server accepts
// (proto WebhookService, "Sizes"). A larger one fails on the client with RESOURCE_EXHAUSTED.
const MaxSendMessageBytes = 8 * 1024 * 1024

// MaxReceiveMessageBytes is the largest response message a client accepts: gRPC's usual
// default, set explicitly because every server response (list pages included) stays under it.
const MaxReceiveMessageBytes = 4 * 1024 * 1024

// Client is a connection to a Posthorn server: the generated client plus Close.
type Client struct {
	posthornv1.WebhookServiceClient
	conn *grpc.ClientConn
}

// Conn returns the underlying connection, e.g. for the gRPC health service.
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Close closes the connection; calls in flight fail with CANCELED.
func (c *Client) Close() error { return c.conn.Close() }

// Option changes a default of [Dial].
type Option func(*config)

type config struct {
	creds       credentials.TransportCredentials
	tlsConfig   *tls.Config
	caFile      string
	certFile    string
	keyFile     string
	apiKey      string
	timeout     time.Duration
	maxAttempts int
	dialOptions []grpc.DialOption
}

// WithAPIKey sends key (phk_...) as "authorization: Bearer <key>" with every call, streams
// included. Without it the server answers UNAUTHENTICATED.
func WithAPIKey(key string) Option {
	return func(c *config) { c.apiKey = key }
}

// WithInsecure sends plaintext HTTP/2: for a server on loopback or inside a trusted network.
// It wins over the TLS options. The default is plaintext to a loopback target (localhost,
// 127.0.0.0/8, ::1), where the server listens without TLS by default, and TLS elsewhere.
func WithInsecure() Option {
	return func(c *config) { c.creds = insecure.NewCredentials() }
}

// WithTLSConfig connects with TLS configured by cfg (a copy is used; MinVersion is raised to
// TLS 1.2 when lower). [WithCAFile] and [WithClientCertificateFiles] add to it.
func WithTLSConfig(cfg *tls.Config) Option {
	return func(c *config) { c.tlsConfig = cfg }
}

// WithCAFile connects with TLS and verifies the server against the PEM CA bundle in path
// instead of the system's roots (a private CA). Dial fails when the file cannot be read or
// holds no certificate.
func WithCAFile(path string) Option {
	return func(c *config) { c.caFile = path }
}

// WithClientCertificateFiles connects with TLS and presents the PEM certificate chain in
// certFile with its private key in keyFile (mutual TLS, for a server with
// POSTHORN_TLS_CLIENT_CA_FILE). Dial fails when they cannot be loaded.
func WithClientCertificateFiles(certFile, keyFile string) Option {
	return func(c *config) { c.certFile, c.keyFile = certFile, keyFile }
}

// WithTransportCredentials sets the transport credentials; it wins over the TLS options.
func WithTransportCredentials(creds credentials.TransportCredentials) Option {
	return func(c *config) { c.creds = creds }
}

// WithTimeout sets the deadline of a unary call whose context has none (default
// [DefaultTimeout]); 0 leaves such calls without a deadline. Streams never get one.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WithMaxAttempts sets how many times a call is tried in all on UNAVAILABLE (default
// [DefaultMaxAttempts], at most 5 as gRPC caps it); 1 turns retries off. Subscribe,
// RotateSubscriptionSecret, CreateApiKey, SendTestEvent and CreatePortalSession are never
// retried: each success creates something new (a retry after a lost answer would make a second).
// Nor is PruneStorage: dropping data is left to the caller to repeat.
func WithMaxAttempts(n int) Option {
	return func(c *config) { c.maxAttempts = n }
}

// WithDialOptions adds raw gRPC dial options (interceptors, keepalive, ...), applied last.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(c *config) { c.dialOptions = append(c.dialOptions, opts...) }
}

// Dial returns a client of the Posthorn server at target (`host:port`, or any gRPC target
// such as `dns:///posthorn.internal:50051`). Like [grpc.NewClient] it does not connect until
// the first call, so a server that is down shows up as UNAVAILABLE on that call. Messages are
// limited to [MaxSendMessageBytes] out and [MaxReceiveMessageBytes] in, as the server's are.
//
// Retrying after an unknown outcome (DEADLINE_EXCEEDED, UNAVAILABLE after the last attempt,
// a dropped connection): the events may or may not be stored. Set your own IdempotencyKey on
// every event (e.g. "order-123-paid") and send the same request again with the same keys
// within 24 hours: stored events come back with Replayed set, and nothing is stored twice. The
// automatic key is new for each call, so it cannot protect a retry that you make.
func Dial(target string, opts ...Option) (*Client, error) {
	cfg := config{
		timeout:     DefaultTimeout,
		maxAttempts: DefaultMaxAttempts,
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	if target == "" {
		return nil, errors.New("posthorn: Dial needs a target such as 127.0.0.1:50051")
	}
	if cfg.timeout < 0 {
		return nil, fmt.Errorf("posthorn: timeout must be >= 0, got %s", cfg.timeout)
	}
	if cfg.maxAttempts < 1 {
		return nil, fmt.Errorf("posthorn: max attempts must be >= 1, got %d", cfg.maxAttempts)
	}
	creds, err := cfg.transportCredentials(target)
	if err != nil {
		return nil, err
	}
	dialOptions := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultServiceConfig(serviceConfig(cfg.maxAttempts)),
		grpc.WithDefaultCallOptions(
			grpc.MaxCallSendMsgSize(MaxSendMessageBytes),
			grpc.MaxCallRecvMsgSize(MaxReceiveMessageBytes),
		),
		grpc.WithChainUnaryInterceptor(
			defaultTimeoutInterceptor(cfg.timeout),
			idempotencyKeyInterceptor(),
		),
	}
	if cfg.apiKey != "" {
		dialOptions = append(dialOptions, grpc.WithPerRPCCredentials(bearerToken(cfg.apiKey)))
	}
	conn, err := grpc.NewClient(target, append(dialOptions, cfg.dialOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("posthorn: %w", err)
	}
	return &Client{WebhookServiceClient: posthornv1.NewWebhookServiceClient(conn), conn: conn}, nil
}

// transportCredentials: the explicit credentials ([WithInsecure], [WithTransportCredentials]);
// else TLS when a TLS option was given; else plaintext to a loopback target and TLS elsewhere.
func (c *config) transportCredentials(target string) (credentials.TransportCredentials, error) {
	if c.creds != nil {
		return c.creds, nil
	}
	if c.tlsConfig == nil && c.caFile == "" && c.certFile == "" && c.keyFile == "" && isLoopbackTarget(target) {
		return insecure.NewCredentials(), nil
	}
	tlsConfig := &tls.Config{}
	if c.tlsConfig != nil {
		tlsConfig = c.tlsConfig.Clone()
	}
	if tlsConfig.MinVersion < tls.VersionTLS12 {
		tlsConfig.MinVersion = tls.VersionTLS12
	}
	if c.caFile != "" {
		pem, err := os.ReadFile(c.caFile)
		if err != nil {
			return nil, fmt.Errorf("posthorn: CA file: %w", err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("posthorn: CA file %s holds no PEM certificate", c.caFile)
		}
		tlsConfig.RootCAs = roots
	}
	if c.certFile != "" || c.keyFile != "" {
		pair, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
		if err != nil {
			return nil, fmt.Errorf("posthorn: client certificate: %w", err)
		}
		tlsConfig.Certificates = append(tlsConfig.Certificates, pair)
	}
	return credentials.NewTLS(tlsConfig), nil
}

// isLoopbackTarget reports whether target (host:port, optionally behind a scheme such as
// dns:///) names this machine only: localhost, 127.0.0.0/8 or ::1.
func isLoopbackTarget(target string) bool {
	if i := strings.Index(target, ":///"); i >= 0 {
		target = target[i+4:]
	}
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// bearerToken sends an API key as call metadata, over plaintext too (loopback, trusted
// networks): the server decides where keys may travel by where it listens.
type bearerToken string

func (b bearerToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (bearerToken) RequireTransportSecurity() bool { return false }

// serviceConfig retries every method on UNAVAILABLE except those whose retry could create a
// second subscription, secret, API key, test event or portal session, and PruneStorage, which
// drops data (gRPC service config, gRFC A6).
func serviceConfig(maxAttempts int) string {
	service := posthornv1.WebhookService_ServiceDesc.ServiceName
	if maxAttempts == 1 {
		return `{}`
	}
	return fmt.Sprintf(`{"methodConfig": [
  {"name": [{"service": %q}],
   "retryPolicy": {"maxAttempts": %d, "initialBackoff": "0.1s", "maxBackoff": "2s",
                   "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}},
  {"name": [{"service": %[3]q, "method": "Subscribe"},
            {"service": %[3]q, "method": "RotateSubscriptionSecret"},
            {"service": %[3]q, "method": "CreateApiKey"},
            {"service": %[3]q, "method": "SendTestEvent"},
            {"service": %[3]q, "method": "CreatePortalSession"},
            {"service": %[3]q, "method": "PruneStorage"}]}
]}`, service, maxAttempts, service)
}
