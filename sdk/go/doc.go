// Package posthorn is the Go client of the Posthorn webhook dispatcher.
//
// The API types and the gRPC client are generated from proto/posthorn/v1 into
// [github.com/posthorn/posthorn/sdk/go/gen/posthorn/v1] (package posthornv1). This package adds
// one hand-written helper, [Dial], which opens a connection with the defaults a caller
// wants: a deadline on every unary call, retries when the server is UNAVAILABLE, and an
// automatic idempotency key on Emit and EmitBatch so that a retried Emit never emits twice.
//
// Receivers verify the requests Posthorn sends with package
// [github.com/posthorn/posthorn/sdk/go/verifier].
package posthorn
