"""``connect()``: a gRPC client of the Posthorn server with the defaults a caller wants."""

from __future__ import annotations

import collections
import ipaddress
import json
import secrets
from collections.abc import Sequence
from typing import Any, Callable, Optional

import grpc

from .gen.posthorn.v1 import webhook_service_pb2 as pb
from .gen.posthorn.v1.webhook_service_pb2_grpc import WebhookServiceStub

DEFAULT_TIMEOUT_SECONDS = 10.0
"""The deadline of a unary call made without ``timeout=``."""

DEFAULT_MAX_ATTEMPTS = 4
"""How many times a call is tried in all when the server answers UNAVAILABLE."""

MAX_SEND_MESSAGE_BYTES = 8 * 1024 * 1024
"""The largest request message the client sends: what the server accepts (proto
``WebhookService``, "Sizes"). A larger one fails on the client with RESOURCE_EXHAUSTED."""

MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024
"""The largest response message the client accepts: gRPC's usual default, set explicitly because
every server response (list pages included) stays under it."""

AUTO_IDEMPOTENCY_KEY_PREFIX = "sdk_"
"""Starts the idempotency keys that the client adds to Emit and EmitBatch; the same in every
Posthorn SDK (TypeScript, Go, Python), so a stored key tells that a client made it."""

_SERVICE = "posthorn.v1.WebhookService"


class Client(WebhookServiceStub):
    """The generated ``WebhookServiceStub`` (``client.Emit(...)``, ``client.ListDeliveries(...)``,
    ...) plus the channel it owns. Use it as a context manager or call :meth:`close`."""

    def __init__(self, channel: grpc.Channel) -> None:
        super().__init__(channel)
        self.channel = channel

    def close(self) -> None:
        """Closes the channel; calls in flight fail with CANCELLED."""
        self.channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _service_config(max_attempts: int) -> str:
    """Retries every method on UNAVAILABLE except those whose retry could create a second
    subscription, secret, API key, test event or portal session, and PruneStorage, which drops
    data (gRPC service config, gRFC A6)."""
    if max_attempts == 1:
        return "{}"
    return json.dumps(
        {
            "methodConfig": [
                {
                    "name": [{"service": _SERVICE}],
                    "retryPolicy": {
                        "maxAttempts": max_attempts,
                        "initialBackoff": "0.1s",
                        "maxBackoff": "2s",
                        "backoffMultiplier": 2,
                        "retryableStatusCodes": ["UNAVAILABLE"],
                    },
                },
                {
                    "name": [
                        {"service": _SERVICE, "method": "Subscribe"},
                        {"service": _SERVICE, "method": "RotateSubscriptionSecret"},
                        {"service": _SERVICE, "method": "CreateApiKey"},
                        {"service": _SERVICE, "method": "SendTestEvent"},
                        {"service": _SERVICE, "method": "CreatePortalSession"},
                        {"service": _SERVICE, "method": "PruneStorage"},
                    ]
                },
            ]
        }
    )


class _CallDetails(
    collections.namedtuple(
        "_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")
    ),
    grpc.ClientCallDetails,
):
    pass


def _new_idempotency_key() -> str:
    return AUTO_IDEMPOTENCY_KEY_PREFIX + secrets.token_hex(16)


class _DefaultsInterceptor(grpc.UnaryUnaryClientInterceptor):
    """A deadline on calls made without one, and an idempotency key on every Emit (and every
    event of an EmitBatch) without one. The key is set once per call: gRPC's retries resend the
    same message, so a retry after a lost response returns the original event instead of a
    copy. The caller's message is not modified."""

    def __init__(self, timeout: Optional[float]) -> None:
        self._timeout = timeout

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, request: Any) -> Any:
        if details.timeout is None and self._timeout is not None:
            details = _CallDetails(
                details.method,
                self._timeout,
                details.metadata,
                details.credentials,
                getattr(details, "wait_for_ready", None),
                getattr(details, "compression", None),
            )
        if isinstance(request, pb.EmitRequest) and not request.idempotency_key:
            copy = pb.EmitRequest()
            copy.CopyFrom(request)
            copy.idempotency_key = _new_idempotency_key()
            request = copy
        elif isinstance(request, pb.EmitBatchRequest) and any(not e.idempotency_key for e in request.events):
            copy = pb.EmitBatchRequest()
            copy.CopyFrom(request)
            for event in copy.events:
                if not event.idempotency_key:
                    event.idempotency_key = _new_idempotency_key()
            request = copy
        return continuation(details, request)


class _AuthInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Adds ``authorization: Bearer <key>`` to every call, unary and streaming."""

    def __init__(self, api_key: str) -> None:
        self._entry = ("authorization", f"Bearer {api_key}")

    def _with_key(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        metadata = [m for m in (details.metadata or ()) if m[0] != "authorization"]
        metadata.append(self._entry)
        return _CallDetails(
            details.method,
            details.timeout,
            metadata,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._with_key(details), request)

    def intercept_unary_stream(self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._with_key(details), request)


def is_loopback_target(target: str) -> bool:
    """Whether ``target`` (``host:port``, optionally after a scheme such as ``dns:///``) names this
    machine only: ``localhost``, 127.0.0.0/8 or ``[::1]``."""
    if ":///" in target:
        target = target.split(":///", 1)[1]
    host = target.rsplit(":", 1)[0] if ":" in target else target
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connect(
    target: str,
    *,
    api_key: Optional[str] = None,
    tls: Optional[bool] = None,
    root_certificates: Optional[bytes] = None,
    certificate_chain: Optional[bytes] = None,
    private_key: Optional[bytes] = None,
    insecure: bool = False,
    credentials: Optional[grpc.ChannelCredentials] = None,
    timeout: Optional[float] = DEFAULT_TIMEOUT_SECONDS,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    options: Sequence[tuple[str, Any]] = (),
) -> Client:
    """Returns a client of the Posthorn server at ``target`` (``host:port`` or any gRPC target).

    - ``api_key``: sent as ``authorization: Bearer <key>`` with every call, streams included
      (default: none; the server answers UNAUTHENTICATED).
    - ``tls``: ``True`` TLS, ``False`` plaintext HTTP/2. Default (``None``): plaintext to a loopback
      target (localhost, 127.0.0.0/8, ::1), where the server listens without TLS by default, TLS
      elsewhere; any of the three PEM arguments below means TLS.
    - ``root_certificates``: PEM CA bundle (bytes) the server's certificate must chain to
      (default: the system's roots). ``certificate_chain`` and ``private_key``: PEM client
      certificate and key (bytes), for a server that requires client certificates (mTLS).
    - ``insecure=True`` is ``tls=False``; ``credentials`` (grpc channel credentials) replace the
      TLS arguments.
    - ``timeout``: seconds allowed to a unary call made without its own ``timeout=``
      (``None``: no deadline). Streams (WatchDeliveries) are never given one.
    - ``max_attempts``: tries in all when the server is UNAVAILABLE (gRPC caps it at 5; 1 turns
      retries off). Subscribe, RotateSubscriptionSecret, CreateApiKey, SendTestEvent and
      CreatePortalSession are never retried (each success creates something new), nor is
      PruneStorage (it drops data; repeating it is the caller's choice).
    - ``options``: extra gRPC channel arguments, applied after the client's own
      (``grpc.max_send_message_length`` = :data:`MAX_SEND_MESSAGE_BYTES`,
      ``grpc.max_receive_message_length`` = :data:`MAX_RECEIVE_MESSAGE_BYTES`).

    Like ``grpc.insecure_channel`` it connects lazily: a server that is down shows up as
    UNAVAILABLE on the first call.

    ``Emit`` and ``EmitBatch`` answer with ids, ``replayed`` and ``matched_subscriptions``; the
    event comes without ``data`` and ``envelope`` (``EVENT_VIEW_BASIC``) unless the request sets
    ``view=EVENT_VIEW_FULL``. List pages end early (with a ``next_page_token``) before 2 MiB.

    Retrying after an unknown outcome (DEADLINE_EXCEEDED, UNAVAILABLE after the last attempt, a
    dropped connection): the events may or may not be stored. Set your own ``idempotency_key``
    on every event (e.g. ``"order-123-paid"``) and send the same request again with the same
    keys within 24 hours: stored events come back with ``replayed`` set, and nothing is stored
    twice. The automatic key is new for each call, so it cannot protect a retry that you make.
    """
    if not target:
        raise ValueError("connect() needs a target such as 127.0.0.1:50051")
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds or None; got {timeout!r}")
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1; got {max_attempts!r}")
    channel_options = [
        ("grpc.enable_retries", 1 if max_attempts > 1 else 0),
        ("grpc.service_config", _service_config(max_attempts)),
        ("grpc.max_send_message_length", MAX_SEND_MESSAGE_BYTES),
        ("grpc.max_receive_message_length", MAX_RECEIVE_MESSAGE_BYTES),
        *options,
    ]
    if (certificate_chain is None) != (private_key is None):
        raise ValueError("a client certificate needs both certificate_chain and private_key (PEM bytes), or neither")
    pem_given = root_certificates is not None or certificate_chain is not None
    if insecure:
        if tls or credentials is not None or pem_given:
            raise ValueError("insecure=True (plaintext) cannot go with tls=True, credentials or certificates")
        tls = False
    if credentials is not None:
        if tls is False or pem_given:
            raise ValueError("credentials replace tls and the certificate arguments: pass one or the other")
        tls = True
    if tls is None:
        tls = pem_given or not is_loopback_target(target)
    if not tls:
        if pem_given:
            raise ValueError("tls=False (plaintext) cannot go with root_certificates or a client certificate")
        channel = grpc.insecure_channel(target, options=channel_options)
    else:
        channel_credentials = credentials or grpc.ssl_channel_credentials(
            root_certificates=root_certificates, private_key=private_key, certificate_chain=certificate_chain
        )
        channel = grpc.secure_channel(target, channel_credentials, options=channel_options)
    interceptors: list[Any] = [_DefaultsInterceptor(timeout)]
    if api_key:
        interceptors.append(_AuthInterceptor(api_key))
    return Client(grpc.intercept_channel(channel, *interceptors))
