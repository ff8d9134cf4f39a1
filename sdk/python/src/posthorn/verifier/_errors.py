"""Reason codes and the one error type of the verifier.

Glossary:
- reason: a machine-readable code saying why verification failed. The first five are the
  contract's ("Verification (receiver side) fails with one of these reasons").
- envelope: the JSON body Posthorn sends, ``{api_version, customer_id, data, id, timestamp, type}``.
"""

from __future__ import annotations

from typing import Literal

VerifyFailureReason = Literal[
    "malformed_header",
    "bad_timestamp",
    "missing_v1",
    "stale_signature",
    "signature_mismatch",
]
"""Why a signature did not verify, in the order the checks run (contract, "Verification"):

- ``malformed_header``: the signature header is missing, empty, or a part of it does not parse;
- ``bad_timestamp``: the timestamp is not a whole number of unix seconds;
- ``missing_v1``: the header parses but carries no ``v1`` signature;
- ``stale_signature``: |now - timestamp| > tolerance (too old or too far in the future);
- ``signature_mismatch``: no ``v1`` signature matches any of the secrets.
"""

WebhookErrorReason = Literal[
    "malformed_header",
    "bad_timestamp",
    "missing_v1",
    "stale_signature",
    "signature_mismatch",
    "invalid_payload",
]
"""The signature reasons plus ``invalid_payload``: raised only after the signature has
verified, when the body is not a Posthorn envelope (not UTF-8, not JSON, a field of the wrong type)."""

_MESSAGES: dict[str, str] = {
    "malformed_header": "the signature header is missing or does not parse",
    "bad_timestamp": "the signature timestamp is not a whole number of unix seconds",
    "missing_v1": "the signature header carries no v1 signature",
    "stale_signature": "the signature timestamp is outside the tolerance (too old or too far in the future)",
    "signature_mismatch": (
        "no v1 signature matches the secrets; pass the raw request body exactly as received, "
        "not a parsed and re-serialized object"
    ),
    "invalid_payload": "the signature is valid but the body is not a Posthorn event envelope",
}


def describe_reason(reason: WebhookErrorReason) -> str:
    """A human-readable sentence for a reason code; stable enough for logs, not for parsing."""
    return _MESSAGES[reason]


class WebhookVerificationError(Exception):
    """The one error the raising verifiers raise. Branch on ``reason``, never on the message.

    Misuse (a ``str`` or parsed object as payload, no secrets, a ``whsec_`` secret that is not
    base64, a negative tolerance) raises ``TypeError``/``ValueError`` instead.
    """

    reason: WebhookErrorReason

    def __init__(self, reason: WebhookErrorReason, message: str | None = None) -> None:
        super().__init__(message if message is not None else describe_reason(reason))
        self.reason = reason
