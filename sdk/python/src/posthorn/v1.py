"""The Posthorn API v1 types and stub, generated from ``proto/posthorn/v1/webhook_service.proto``.

``from posthorn.v1 import EmitRequest, ListDeliveriesRequest, DeliveryState`` instead of the
generated module path ``posthorn.gen.posthorn.v1.webhook_service_pb2``.
"""

from .gen.posthorn.v1.webhook_service_pb2 import *  # noqa: F401,F403
from .gen.posthorn.v1.webhook_service_pb2_grpc import (  # noqa: F401
    WebhookService,
    WebhookServiceServicer,
    WebhookServiceStub,
    add_WebhookServiceServicer_to_server,
)
