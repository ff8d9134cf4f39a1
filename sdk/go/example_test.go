package posthorn_test

import (
	"context"
	"fmt"
	"log"

	posthorn "github.com/posthorn/posthorn/sdk/go"
	posthornv1 "github.com/posthorn/posthorn/sdk/go/gen/posthorn/v1"
	"google.golang.org/protobuf/types/known/structpb"
)

// Emit one event and list the deliveries it created. (Needs a running server, so it is
// compiled but not run by go test; integration_test.go runs the same calls for real.)
func ExampleDial() {
	client, err := posthorn.Dial("127.0.0.1:50051", posthorn.WithInsecure())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	data, _ := structpb.NewStruct(map[string]any{"lead_id": "lead_42", "score": 87})
	emitted, err := client.Emit(ctx, &posthornv1.EmitRequest{
		Type:       "lead.created",
		CustomerId: "cus_123",
		Data:       data,
		// IdempotencyKey left empty: Dial's client sets a random one, so a retried call
		// cannot emit twice. Set your own to deduplicate across calls.
	})
	if err != nil {
		log.Fatal(err)
	}
	deliveries, err := client.ListDeliveries(ctx, &posthornv1.ListDeliveriesRequest{EventId: emitted.GetEvent().GetId()})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range deliveries.GetDeliveries() {
		fmt.Println(d.GetId(), d.GetSubscriptionId(), d.GetState())
	}
}
