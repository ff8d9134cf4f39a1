"""The Standard Webhooks scheme (https://www.standardwebhooks.com): headers ``webhook-id``,
``webhook-timestamp`` and ``webhook-signature: v1,<base64> ...``, HMAC-SHA256 over
``"<id>.<t>.<body>"`` with the key base64-decode(secret without ``whsec_``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Union

from ._envelope import WebhookEnvelope, parse_envelope
from ._errors import WebhookVerificationError
from ._inputs import (
    DEFAULT_TOLERANCE_SECONDS,
    MAX_UNIX_SECONDS,
    SECRET_PREFIX,
    STALE,
    is_fresh,
    js_trim,
    parse_unix_seconds,
    resolve_now,
    resolve_tolerance,
    to_raw_bytes,
    to_secret_list,
)
from ._result import StandardWebhookResult, StandardWebhookSuccess, VerifyFailure

_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_ENTRY = re.compile(r"([^,]+),([^,]+)", re.DOTALL)
_SPACES = re.compile(r"[ ]+")

_MALFORMED = VerifyFailure("malformed_header")
_BAD_TIMESTAMP = VerifyFailure("bad_timestamp")
_MISSING_V1 = VerifyFailure("missing_v1")
_MISMATCH = VerifyFailure("signature_mismatch")

_AMBIGUOUS = object()


def _standard_webhooks_key(secret: str) -> bytes:
    """base64-decode of the part after ``whsec_``, validated strictly so a typo fails loudly
    here instead of silently giving a short key. The message never contains the secret."""
    encoded = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    if not encoded or not _BASE64.fullmatch(encoded):
        raise ValueError(
            f'a Standard Webhooks secret must be "{SECRET_PREFIX}" followed by standard, padded base64 '
            f"(the part after the prefix is decoded to get the HMAC key); this one is not (length {len(secret)})"
        )
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error as error:  # pragma: no cover - the pattern already rules this out
        raise ValueError("a Standard Webhooks secret is not valid base64") from error


def _find_header(headers: Mapping[str, object], lower_name: str) -> object:
    """The value of a header named ``lower_name`` in any letter case; two spellings or a
    repeated value are ambiguous."""
    found: object = None
    seen = False
    for name, value in headers.items():
        if not isinstance(name, str) or len(name) != len(lower_name) or name.lower() != lower_name:
            continue
        if seen:
            return _AMBIGUOUS
        seen = True
        found = value
    if isinstance(found, (list, tuple)):
        found = found[0] if len(found) == 1 else _AMBIGUOUS
    return found


@dataclass(frozen=True)
class StandardWebhooksHeader:
    """The three Standard Webhooks headers, parsed."""

    id: str
    timestamp: int
    """Unix seconds."""
    signatures: tuple[str, ...]
    """Every ``v1`` signature (the base64 after ``v1,``), in header order."""


def parse_standard_webhooks_headers(headers: Mapping[str, object]) -> Union[StandardWebhooksHeader, VerifyFailure]:
    """Reads ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``. A missing, empty or
    ambiguous header, or a signature entry that is not ``<version>,<sig>``, is
    ``malformed_header``; a timestamp that is not digits is ``bad_timestamp``; no ``v1`` entry
    (e.g. only ``v1a``) is ``missing_v1``. Entries are separated by runs of spaces."""
    if not isinstance(headers, Mapping) and not hasattr(headers, "items"):
        raise TypeError("headers must be a mapping of header names to values (e.g. request.headers)")
    message_id = _find_header(headers, "webhook-id")
    timestamp_text = _find_header(headers, "webhook-timestamp")
    signature_text = _find_header(headers, "webhook-signature")
    if not isinstance(message_id, str) or not isinstance(timestamp_text, str) or not isinstance(signature_text, str):
        return _MALFORMED
    message_id = js_trim(message_id)
    entries = _SPACES.split(js_trim(signature_text))
    if not message_id or entries[0] == "":
        return _MALFORMED
    signatures: list[str] = []
    for entry in entries:
        match = _ENTRY.fullmatch(entry)
        if match is None:
            return _MALFORMED
        if match.group(1) == "v1":
            signatures.append(match.group(2))
    timestamp = parse_unix_seconds(js_trim(timestamp_text))
    if timestamp is None:
        return _BAD_TIMESTAMP
    if not signatures:
        return _MISSING_V1
    return StandardWebhooksHeader(message_id, timestamp, tuple(signatures))


def _digest(key: bytes, message_id: str, timestamp: int, payload: bytes) -> bytes:
    message = message_id.encode("utf-8") + b"." + str(timestamp).encode("ascii") + b"." + payload
    return hmac.new(key, message, hashlib.sha256).digest()


class StandardWebhooksVerifier:
    """Holds the decoded keys of a list of secrets and the tolerance; build it once at start-up
    and reuse it (``createStandardWebhooksVerifier`` in TypeScript).

    Raises ``ValueError`` at construction when a secret is not ``whsec_`` + standard, padded
    base64 (rather than failing every verification later), or the tolerance is negative.
    """

    def __init__(
        self, secrets: Union[str, Sequence[str]], *, tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS
    ) -> None:
        self._keys = [_standard_webhooks_key(secret) for secret in to_secret_list(secrets)]
        self._tolerance = resolve_tolerance(tolerance_seconds)

    def sign(self, message_id: str, timestamp: int, payload: bytes) -> dict[str, str]:
        """The three headers Posthorn sends: one ``v1,<base64>`` entry per secret, in order."""
        body = to_raw_bytes(payload)
        if not isinstance(message_id, str) or not message_id or "\n" in message_id or "\r" in message_id:
            raise ValueError("the message id must be a non-empty str on one line")
        if isinstance(timestamp, bool) or not isinstance(timestamp, int) or not 0 <= timestamp <= MAX_UNIX_SECONDS:
            raise ValueError(f"timestamp must be whole unix seconds in [0, 2^53-1]; got {timestamp!r}")
        entries = [
            "v1," + base64.b64encode(_digest(key, message_id, timestamp, body)).decode("ascii") for key in self._keys
        ]
        return {
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(entries),
        }

    def verify(
        self, payload: bytes, headers: Mapping[str, object], *, now: Union[int, float, None] = None
    ) -> StandardWebhookResult:
        """Checks the headers (names in any letter case) against the raw body. Returns
        ``StandardWebhookSuccess(id, timestamp)`` or ``VerifyFailure(reason)``, never raising for
        a bad signature; any ``v1`` entry that matches any secret passes. ``now``: unix seconds."""
        body = to_raw_bytes(payload)
        tolerance = self._tolerance
        clock = resolve_now(now)
        parsed = parse_standard_webhooks_headers(headers)
        if isinstance(parsed, VerifyFailure):
            return parsed
        if not is_fresh(parsed.timestamp, clock, tolerance):
            return STALE
        received = [signature.encode("utf-8") for signature in parsed.signatures]
        match = False
        for key in self._keys:
            expected = base64.b64encode(_digest(key, parsed.id, parsed.timestamp, body))
            for signature in received:
                match |= hmac.compare_digest(expected, signature)
        return StandardWebhookSuccess(parsed.id, parsed.timestamp) if match else _MISMATCH

    def verify_event(
        self, payload: bytes, headers: Mapping[str, object], *, now: Union[int, float, None] = None
    ) -> WebhookEnvelope:
        """Raising form: the parsed envelope, or :class:`WebhookVerificationError` with the
        failure's ``reason`` (or ``invalid_payload``)."""
        result = self.verify(payload, headers, now=now)
        if isinstance(result, VerifyFailure):
            raise WebhookVerificationError(result.reason)
        return parse_envelope(payload)


def sign_standard_webhooks(
    secrets: Union[str, Sequence[str]], message_id: str, timestamp: int, payload: bytes
) -> dict[str, str]:
    """``StandardWebhooksVerifier(secrets).sign(message_id, timestamp, payload)``."""
    return StandardWebhooksVerifier(secrets).sign(message_id, timestamp, payload)


def verify_standard_webhook(
    payload: bytes,
    headers: Mapping[str, object],
    secrets: Union[str, Sequence[str]],
    *,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: Union[int, float, None] = None,
) -> StandardWebhookResult:
    """One-shot ``StandardWebhooksVerifier(secrets, tolerance_seconds=...).verify(payload, headers, now=...)``.
    Prefer a verifier built once at start-up, so that a bad secret fails there."""
    return StandardWebhooksVerifier(secrets, tolerance_seconds=tolerance_seconds).verify(payload, headers, now=now)


def verify_standard_webhook_event(
    payload: bytes,
    headers: Mapping[str, object],
    secrets: Union[str, Sequence[str]],
    *,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: Union[int, float, None] = None,
) -> WebhookEnvelope:
    """One-shot raising form: the parsed envelope, or :class:`WebhookVerificationError`."""
    return StandardWebhooksVerifier(secrets, tolerance_seconds=tolerance_seconds).verify_event(payload, headers, now=now)
