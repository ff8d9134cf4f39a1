// Package posthorn is the Go client of the Posthorn webhook dispatcher.
//
// The API types and the gRPC client are generated from proto/posthorn/v1 into
// [github.com/posthorn/posthorn/sdk/go/gen/posthorn/v1] (package posthornv1). This package adds
// one hand-written helper, [Dial], which opens a connection with the defaults a caller
// wants: a deadline on every unary call, retries when the server is UNAVAILABLE, and an
// automatic idempotency key on Emit and EmitBatch so that a retried Emit never emits twice.
//
// Emit and EmitBatch answer with ids, Replayed and MatchedSubscriptions; the event comes
// without Data and Envelope (EVENT_VIEW_BASIC) unless the request sets View to
// EVENT_VIEW_FULL. List pages end early, with a NextPageToken, before 2 MiB: read pages until
// the token is empty. To retry a call yourself after an unknown outcome, see [Dial].
//
// Key and TLS: [WithAPIKey] sends "authorization: Bearer <key>" on every call, streams
// included. Transport: plaintext to a loopback target (localhost, 127.0.0.0/8, ::1), where the
// server listens without TLS by default, and TLS with the system's roots elsewhere;
// [WithCAFile] trusts a private CA, [WithClientCertificateFiles] adds a client certificate
// (mTLS), [WithTLSConfig] takes a whole tls.Config, and [WithInsecure] forces plaintext.
//
// Receivers verify the requests Posthorn sends with package
// [github.com/posthorn/posthorn/sdk/go/verifier].
package posthorn
