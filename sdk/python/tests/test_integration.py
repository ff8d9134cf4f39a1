"""Starts the real server, subscribes a local receiver with both signature schemes, emits an
event through the generated client and reads the deliveries back. Requests that reach the
receiver (once the delivery engine sends them) must verify with our verifier and, for
Standard Webhooks, with the reference `standardwebhooks` package."""

from __future__ import annotations

import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import pytest
from google.protobuf.struct_pb2 import Struct
from grpc_health.v1 import health_pb2, health_pb2_grpc
from standardwebhooks.webhooks import Webhook

import posthorn
from posthorn.v1 import (
    EVENT_VIEW_FULL,
    SIGNATURE_SCHEME_STANDARD_WEBHOOKS,
    SIGNATURE_SCHEME_V1,
    EmitRequest,
    ListDeliveriesRequest,
    SubscribeRequest,
)
from posthorn.verifier import verify_standard_webhook, verify_webhook

from .server import ADMIN_KEY


class Receiver:
    """A real HTTP endpoint on 127.0.0.1 that records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append((self.path, dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def snapshot(self) -> list[tuple[str, dict[str, str], bytes]]:
        with self.lock:
            return list(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_emit_through_the_generated_client(posthorn_server, receiver):
    # No transport argument: plaintext by default to a loopback target.
    with posthorn.connect(posthorn_server, api_key=ADMIN_KEY) as client:
        health = health_pb2_grpc.HealthStub(client.channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert health.status == health_pb2.HealthCheckResponse.SERVING

        customer = "cus_py_" + secrets.token_hex(6)

        def subscribe(path: str, scheme: int, *types: str):
            response = client.Subscribe(
                SubscribeRequest(
                    customer_id=customer,
                    endpoint_url=receiver.url + path,
                    event_types=list(types),
                    signature_scheme=scheme,
                    description="python sdk integration test",
                )
            )
            assert response.subscription.id.startswith("sub_") and response.secret.startswith("whsec_")
            return response

        v1_sub = subscribe("/v1", SIGNATURE_SCHEME_V1, "lead.created")
        sw_sub = subscribe("/sw", SIGNATURE_SCHEME_STANDARD_WEBHOOKS)  # every type
        other_sub = subscribe("/other", SIGNATURE_SCHEME_V1, "deal.won")

        data = Struct()
        data.update({"lead_id": "lead_42", "score": 87})
        emitted = client.Emit(EmitRequest(type="lead.created", customer_id=customer, data=data, view=EVENT_VIEW_FULL))
        event = emitted.event
        assert event.id.startswith("evt_") and event.type == "lead.created" and event.customer_id == customer
        assert emitted.matched_subscriptions == 2 and not emitted.replayed
        assert event.idempotency_key.startswith(posthorn.AUTO_IDEMPOTENCY_KEY_PREFIX)

        listed = client.ListDeliveries(ListDeliveriesRequest(customer_id=customer, event_id=event.id))
        by_subscription = {d.subscription_id: d for d in listed.deliveries}
        assert len(listed.deliveries) == 2
        assert set(by_subscription) == {v1_sub.subscription.id, sw_sub.subscription.id}
        for delivery in listed.deliveries:
            assert delivery.id.startswith("dlv_")
            assert (delivery.event_id, delivery.customer_id, delivery.event_type) == (event.id, customer, "lead.created")
        assert not client.ListDeliveries(ListDeliveriesRequest(subscription_id=other_sub.subscription.id)).deliveries

        with pytest.raises(grpc.RpcError) as raised:
            client.Emit(EmitRequest(type="no.such.type", customer_id=customer))
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    # Whatever reaches the receiver within a few seconds must verify. Whether anything arrives
    # depends on the delivery engine, so absence is reported, not failed.
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and len(receiver.snapshot()) < 2:
        time.sleep(0.1)
    for path, headers, body in receiver.snapshot():
        if path == "/v1":
            signature = next((v for k, v in headers.items() if k.lower() == "dealix-signature"), None)
            envelope = verify_webhook(body, signature, [v1_sub.secret])
            assert envelope["id"] == event.id and body == event.envelope
        elif path == "/sw":
            assert verify_standard_webhook(body, headers, [sw_sub.secret])
            Webhook(sw_sub.secret).verify(body, headers, json_parse=False)
        else:
            pytest.fail(f"unexpected request to {path}")
    if not receiver.snapshot():
        print("no request reached the receiver within 8 s (delivery engine not running?)")
