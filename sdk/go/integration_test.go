package posthorn_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/structpb"

	posthorn "github.com/posthorn/posthorn/sdk/go"
	posthornv1 "github.com/posthorn/posthorn/sdk/go/gen/posthorn/v1"
	"github.com/posthorn/posthorn/sdk/go/internal/testserver"
	"github.com/posthorn/posthorn/sdk/go/verifier"
)

type received struct {
	path   string
	header http.Header
	body   []byte
}

// receiver is a real HTTP endpoint on 127.0.0.1 that records every request.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []received
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.requests = append(r.requests, received{path: req.URL.Path, header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) snapshot() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.requests...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// TestEmitThroughTheGeneratedClient starts the real server, subscribes a local receiver
// with both signature schemes, emits an event with the generated client and reads the
// deliveries back. Requests that reach the receiver (once the delivery engine sends them)
// must verify with our verifier and, for Standard Webhooks, with the reference library.
func TestEmitThroughTheGeneratedClient(t *testing.T) {
	address := testserver.Start(t)
	// No transport option: plaintext by default to a loopback target.
	client, err := posthorn.Dial(address, posthorn.WithAPIKey(testserver.AdminKey))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	health, err := grpc_health_v1.NewHealthClient(client.Conn()).Check(ctx, &grpc_health_v1.HealthCheckRequest{})
	if err != nil || health.GetStatus() != grpc_health_v1.HealthCheckResponse_SERVING {
		t.Fatalf("health check: %v, %v", health, err)
	}

	recv := newReceiver(t)
	customer := "cus_go_" + randomHex(6)
	subscribe := func(path string, scheme posthornv1.SignatureScheme, types ...string) *posthornv1.SubscribeResponse {
		t.Helper()
		resp, err := client.Subscribe(ctx, &posthornv1.SubscribeRequest{
			CustomerId:      customer,
			EndpointUrl:     recv.URL + path,
			EventTypes:      types,
			SignatureScheme: scheme,
			Description:     "go sdk integration test",
		})
		if err != nil {
			t.Fatalf("Subscribe %s: %v", path, err)
		}
		if !strings.HasPrefix(resp.GetSubscription().GetId(), "sub_") || !strings.HasPrefix(resp.GetSecret(), "whsec_") {
			t.Fatalf("Subscribe %s returned %v", path, resp)
		}
		return resp
	}
	v1Sub := subscribe("/v1", posthornv1.SignatureScheme_SIGNATURE_SCHEME_V1, "lead.created")
	swSub := subscribe("/sw", posthornv1.SignatureScheme_SIGNATURE_SCHEME_STANDARD_WEBHOOKS) // every type
	otherSub := subscribe("/other", posthornv1.SignatureScheme_SIGNATURE_SCHEME_V1, "deal.won")

	data, err := structpb.NewStruct(map[string]any{"lead_id": "lead_42", "score": 87})
	if err != nil {
		t.Fatal(err)
	}
	emitted, err := client.Emit(ctx, &posthornv1.EmitRequest{Type: "lead.created", CustomerId: customer, Data: data, View: posthornv1.EventView_EVENT_VIEW_FULL})
	if err != nil {
		t.Fatalf("Emit: %v", err)
	}
	event := emitted.GetEvent()
	if !strings.HasPrefix(event.GetId(), "evt_") || event.GetType() != "lead.created" || event.GetCustomerId() != customer {
		t.Fatalf("Emit returned event %v", event)
	}
	if emitted.GetMatchedSubscriptions() != 2 || emitted.GetReplayed() {
		t.Fatalf("Emit: matched %d subscriptions (replayed %v), want 2", emitted.GetMatchedSubscriptions(), emitted.GetReplayed())
	}
	if !strings.HasPrefix(event.GetIdempotencyKey(), posthorn.AutoIdempotencyKeyPrefix) {
		t.Errorf("the event's idempotency key is %q, want one set by Dial's client", event.GetIdempotencyKey())
	}

	listed, err := client.ListDeliveries(ctx, &posthornv1.ListDeliveriesRequest{CustomerId: customer, EventId: event.GetId()})
	if err != nil {
		t.Fatalf("ListDeliveries: %v", err)
	}
	bySubscription := map[string]*posthornv1.Delivery{}
	for _, d := range listed.GetDeliveries() {
		if d.GetEventId() != event.GetId() || d.GetCustomerId() != customer || d.GetEventType() != "lead.created" ||
			!strings.HasPrefix(d.GetId(), "dlv_") {
			t.Errorf("unexpected delivery %v", d)
		}
		if bySubscription[d.GetSubscriptionId()] != nil {
			t.Errorf("two deliveries to subscription %s", d.GetSubscriptionId())
		}
		bySubscription[d.GetSubscriptionId()] = d
	}
	if len(listed.GetDeliveries()) != 2 || bySubscription[v1Sub.GetSubscription().GetId()] == nil ||
		bySubscription[swSub.GetSubscription().GetId()] == nil {
		t.Fatalf("ListDeliveries = %v, want one delivery for each of %s and %s", listed.GetDeliveries(),
			v1Sub.GetSubscription().GetId(), swSub.GetSubscription().GetId())
	}
	none, err := client.ListDeliveries(ctx, &posthornv1.ListDeliveriesRequest{SubscriptionId: otherSub.GetSubscription().GetId()})
	if err != nil || len(none.GetDeliveries()) != 0 {
		t.Fatalf("the deal.won subscription got deliveries: %v, %v", none.GetDeliveries(), err)
	}

	// Whatever reaches the receiver within a few seconds must verify. Whether anything
	// arrives depends on the delivery engine, so absence is logged, not failed.
	deadline := time.Now().Add(8 * time.Second)
	for time.Now().Before(deadline) && len(recv.snapshot()) < 2 {
		time.Sleep(100 * time.Millisecond)
	}
	requests := recv.snapshot()
	if len(requests) == 0 {
		t.Log("no request reached the receiver within 8 s (delivery engine not running?); signatures not checked end to end")
	}
	for _, r := range requests {
		switch r.path {
		case "/v1":
			env, err := verifier.VerifyWebhook(r.body, r.header.Get("Dealix-Signature"), []string{v1Sub.GetSecret()})
			if err != nil {
				t.Errorf("v1 request does not verify: %v (headers %v)", err, r.header)
			} else if env.ID != event.GetId() || string(r.body) != string(event.GetEnvelope()) {
				t.Errorf("v1 request carries %s / %q, want %s with the stored envelope", env.ID, r.body, event.GetId())
			}
		case "/sw":
			if _, err := verifier.VerifyStandardWebhook(r.body, r.header, []string{swSub.GetSecret()}); err != nil {
				t.Errorf("Standard Webhooks request does not verify with our verifier: %v (headers %v)", err, r.header)
			}
			reference, err := standardwebhooks.NewWebhook(swSub.GetSecret())
			if err != nil {
				t.Fatal(err)
			}
			if err := reference.Verify(r.body, r.header); err != nil {
				t.Errorf("Standard Webhooks request does not verify with the standardwebhooks library: %v", err)
			}
		default:
			t.Errorf("unexpected request to %s", r.path)
		}
	}
}
