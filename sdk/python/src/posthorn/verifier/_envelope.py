"""The event envelope: the JSON body Posthorn sends (contract, "Envelope")."""

from __future__ import annotations

import json
from typing import Any, TypedDict

from ._errors import WebhookVerificationError
from ._inputs import MAX_UNIX_SECONDS, to_raw_bytes


class WebhookEnvelope(TypedDict):
    """Canonical JSON with sorted keys. Unknown extra fields are kept, so a newer server does
    not break an older receiver."""

    api_version: str
    customer_id: str
    data: dict[str, Any]
    id: str
    """``evt_`` + 24 lowercase hex."""
    timestamp: int
    """When the event was emitted, unix seconds (not when this attempt was signed)."""
    type: str
    """e.g. ``lead.created``."""


def _invalid(detail: str) -> WebhookVerificationError:
    return WebhookVerificationError(
        "invalid_payload", f"the signature is valid but the body is not a Posthorn event envelope: {detail}"
    )


def parse_envelope(payload: bytes) -> WebhookEnvelope:
    """Parses an already verified body into the envelope.

    Raises :class:`WebhookVerificationError` with reason ``invalid_payload`` when the bytes are
    not UTF-8, not JSON, or a field is missing or of the wrong type.
    """
    raw = to_raw_bytes(payload)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _invalid("not valid UTF-8") from error
    try:
        value = json.loads(text)
    except ValueError as error:
        raise _invalid("not valid JSON") from error
    if not isinstance(value, dict):
        raise _invalid("not a JSON object")
    for field in ("api_version", "customer_id", "id", "type"):
        if not isinstance(value.get(field), str):
            raise _invalid(f'"{field}" must be a string')
    timestamp = value.get("timestamp")
    if isinstance(timestamp, float) and timestamp.is_integer():
        timestamp = int(timestamp)  # JSON 1.0 is the integer 1, as in JavaScript
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or abs(timestamp) > MAX_UNIX_SECONDS:
        raise _invalid('"timestamp" must be an integer (unix seconds)')
    value["timestamp"] = timestamp
    if not isinstance(value.get("data"), dict):
        raise _invalid('"data" must be a JSON object')
    return value  # type: ignore[return-value]
