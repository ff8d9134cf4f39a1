"""Posthorn for Python: a gRPC client of the webhook dispatcher and a signature verifier.

- :func:`connect` returns a :class:`Client` (the generated stub with a deadline on every unary
  call, retries on UNAVAILABLE and an automatic idempotency key on Emit);
- :mod:`posthorn.v1` holds the generated API types (``EmitRequest``, ``Delivery``, ...);
- :mod:`posthorn.verifier` checks the signatures on the requests Posthorn sends.
"""

from .client import (
    AUTO_IDEMPOTENCY_KEY_PREFIX,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_TIMEOUT_SECONDS,
    MAX_RECEIVE_MESSAGE_BYTES,
    MAX_SEND_MESSAGE_BYTES,
    Client,
    connect,
)

__all__ = [
    "AUTO_IDEMPOTENCY_KEY_PREFIX",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_RECEIVE_MESSAGE_BYTES",
    "MAX_SEND_MESSAGE_BYTES",
    "Client",
    "connect",
]
