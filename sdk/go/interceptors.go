package posthorn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	posthornv1 "github.com/posthorn/posthorn/sdk/go/gen/posthorn/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// AutoIdempotencyKeyPrefix starts the idempotency keys that [Dial]'s client adds; the same in
// every Posthorn SDK (TypeScript, Go, Python), so a stored key tells that a client made it.
const AutoIdempotencyKeyPrefix = "sdk_"

func defaultTimeoutInterceptor(timeout time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if _, ok := ctx.Deadline(); !ok && timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

// idempotencyKeyInterceptor gives every Emit (and every event of an EmitBatch) without an
// idempotency key a random one, once per call: gRPC's transparent retries resend the same
// message, so a retry after a lost response returns the original event instead of a copy.
// The caller's message is not modified.
func idempotencyKeyInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		switch r := req.(type) {
		case *posthornv1.EmitRequest:
			if r.GetIdempotencyKey() == "" {
				r = proto.Clone(r).(*posthornv1.EmitRequest)
				r.IdempotencyKey = newIdempotencyKey()
				req = r
			}
		case *posthornv1.EmitBatchRequest:
			if needsKeys(r.GetEvents()) {
				r = proto.Clone(r).(*posthornv1.EmitBatchRequest)
				for _, event := range r.Events {
					if event.GetIdempotencyKey() == "" {
						event.IdempotencyKey = newIdempotencyKey()
					}
				}
				req = r
			}
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

func needsKeys(events []*posthornv1.EmitRequest) bool {
	for _, event := range events {
		if event.GetIdempotencyKey() == "" {
			return true
		}
	}
	return false
}

func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return AutoIdempotencyKeyPrefix + hex.EncodeToString(b[:])
}
