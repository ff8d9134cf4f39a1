"""Emit one event and list the deliveries it created.

    python examples/emit.py 127.0.0.1:50051
"""

import sys

from google.protobuf.struct_pb2 import Struct

import posthorn
from posthorn.v1 import EmitRequest, ListDeliveriesRequest


def main(target: str) -> None:
    data = Struct()
    data.update({"lead_id": "lead_42", "score": 87})
    with posthorn.connect(target, insecure=True) as client:
        # idempotency_key left empty: the client sets a random one so a retry cannot emit twice.
        emitted = client.Emit(EmitRequest(type="lead.created", customer_id="cus_123", data=data))
        print("emitted", emitted.event.id, "to", emitted.matched_subscriptions, "subscription(s)")
        listed = client.ListDeliveries(ListDeliveriesRequest(event_id=emitted.event.id))
        for delivery in listed.deliveries:
            print(delivery.id, delivery.subscription_id, delivery.state)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051")
