"""The v1 scheme (contract; Stripe-compatible): ``<Brand>-Signature: t=<unix s>,v1=<hex>``."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union

from ._envelope import WebhookEnvelope, parse_envelope
from ._errors import WebhookVerificationError
from ._inputs import (
    DEFAULT_TOLERANCE_SECONDS,
    MAX_UNIX_SECONDS,
    STALE,
    is_fresh,
    parse_unix_seconds,
    resolve_now,
    resolve_tolerance,
    to_raw_bytes,
    to_secret_list,
)
from ._result import VerifyFailure, VerifyResult, VerifySuccess

# One `key=value` part: spaces/tabs allowed around the part and the `=`; the key is
# [A-Za-z0-9_-]+; the value is printable ASCII without space, `,` or `=`. So `t=123=junk`,
# `v1`, `v1=` and `v1=ab cd` are all malformed.
_PART = re.compile(r"[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*([\x21-\x2B\x2D-\x3C\x3E-\x7E]+)[ \t]*")

_MALFORMED = VerifyFailure("malformed_header")
_BAD_TIMESTAMP = VerifyFailure("bad_timestamp")
_MISSING_V1 = VerifyFailure("missing_v1")
_MISMATCH = VerifyFailure("signature_mismatch")


@dataclass(frozen=True)
class V1Header:
    """The ``t`` and ``v1`` values of a signature header."""

    timestamp: int
    """Unix seconds."""
    signatures: tuple[str, ...]
    """Every ``v1`` value, in header order, unvalidated (they are only compared)."""


def parse_v1_header(header: object) -> Union[V1Header, VerifyFailure]:
    """Parses ``t=<unix>,v1=<hex>[,v1=<hex>...]`` (contract; Stripe's format). Lenient about
    spaces around separators, strict about each part, case-sensitive keys, unknown schemes
    (``v0=...``) ignored. Returns the failure for ``malformed_header``, ``bad_timestamp`` or
    ``missing_v1``, checked in that order. A list of one value (a repeated header read as a
    list) is accepted; more is malformed."""
    if isinstance(header, (list, tuple)):
        header = header[0] if len(header) == 1 else None
    if not isinstance(header, str) or not header:
        return _MALFORMED
    timestamp_text: Union[str, None] = None
    signatures: list[str] = []
    for part in header.split(","):
        match = _PART.fullmatch(part)
        if match is None:
            return _MALFORMED
        key, value = match.group(1), match.group(2)
        if key == "t":
            if timestamp_text is not None:
                return _MALFORMED
            timestamp_text = value
        elif key == "v1":
            signatures.append(value)
    if timestamp_text is None:
        return _MALFORMED
    timestamp = parse_unix_seconds(timestamp_text)
    if timestamp is None:
        return _BAD_TIMESTAMP
    if not signatures:
        return _MISSING_V1
    return V1Header(timestamp, tuple(signatures))


def _digest_hex(secret: str, timestamp: int, payload: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + payload
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign_v1(secrets: Union[str, Sequence[str]], timestamp: int, payload: bytes) -> str:
    """The signature header value Posthorn sends: ``t=<timestamp>,v1=<hex>[,v1=<hex>...]``, one
    ``v1`` per secret, in order. ``timestamp`` is unix seconds; each ``v1`` is
    hex(HMAC-SHA256(key = the secret string as UTF-8, ``whsec_`` included, msg = ``"<t>." + payload``)).
    """
    body = to_raw_bytes(payload)
    keys = to_secret_list(secrets)
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or not 0 <= timestamp <= MAX_UNIX_SECONDS:
        raise ValueError(f"timestamp must be whole unix seconds in [0, 2^53-1]; got {timestamp!r}")
    return f"t={timestamp}" + "".join(f",v1={_digest_hex(secret, timestamp, body)}" for secret in keys)


def verify_signature(
    payload: bytes,
    header: Union[str, None],
    secrets: Union[str, Sequence[str]],
    *,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: Union[int, float, None] = None,
) -> VerifyResult:
    """Checks a v1 signature header against the raw body.

    Returns ``VerifySuccess(timestamp)`` (unix seconds) or ``VerifyFailure(reason)``; never raises
    for a bad signature. Any ``v1`` that equals the expected lowercase hex for any secret passes,
    so during a secret rotation the old secret, the new one, or both verify. ``now`` (unix
    seconds, 0 included) replaces the system clock; ``tolerance_seconds`` bounds |now - t|.

    Raises ``TypeError``/``ValueError`` for misuse: a payload that is not bytes, no secrets,
    a negative tolerance.
    """
    body = to_raw_bytes(payload)
    keys = to_secret_list(secrets)
    tolerance = resolve_tolerance(tolerance_seconds)
    clock = resolve_now(now)
    parsed = parse_v1_header(header)
    if isinstance(parsed, VerifyFailure):
        return parsed
    if not is_fresh(parsed.timestamp, clock, tolerance):
        return STALE
    received = [signature.encode("ascii") for signature in parsed.signatures]
    match = False
    for secret in keys:
        expected = _digest_hex(secret, parsed.timestamp, body).encode("ascii")
        for signature in received:
            # Every pair is compared, so the time taken does not say which one matched.
            match |= hmac.compare_digest(expected, signature)
    return VerifySuccess(parsed.timestamp) if match else _MISMATCH


def verify_webhook(
    payload: bytes,
    header: Union[str, None],
    secrets: Union[str, Sequence[str]],
    *,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: Union[int, float, None] = None,
) -> WebhookEnvelope:
    """Verifies like :func:`verify_signature`, then parses the body into the event envelope.

    Raises :class:`WebhookVerificationError` with the failure's ``reason``, or with
    ``invalid_payload`` when a verified body is not a Posthorn envelope.
    """
    result = verify_signature(payload, header, secrets, tolerance_seconds=tolerance_seconds, now=now)
    if isinstance(result, VerifyFailure):
        raise WebhookVerificationError(result.reason)
    return parse_envelope(payload)
