"""Verify the signatures Posthorn puts on the webhook requests it sends.

Mirrors the TypeScript package ``@posthorn/verifier`` and passes the same shared vectors
(``test/vectors/signatures.json``):

- :func:`verify_signature` / :func:`verify_standard_webhook` return a result
  (``VerifySuccess``/``StandardWebhookSuccess``, or ``VerifyFailure`` with a ``reason``);
- :func:`verify_webhook` / :func:`verify_standard_webhook_event` raise
  :class:`WebhookVerificationError` and return the parsed envelope;
- :class:`StandardWebhooksVerifier` decodes the keys once (``createStandardWebhooksVerifier``);
- :func:`sign_v1` / :func:`sign_standard_webhooks` produce exactly what the server sends.

Always pass the raw request body as bytes: re-serialized JSON never verifies. Comparisons are
constant-time.
"""

from ._envelope import WebhookEnvelope, parse_envelope
from ._errors import (
    VerifyFailureReason,
    WebhookErrorReason,
    WebhookVerificationError,
    describe_reason,
)
from ._inputs import DEFAULT_TOLERANCE_SECONDS, SECRET_PREFIX
from ._result import (
    StandardWebhookResult,
    StandardWebhookSuccess,
    VerifyFailure,
    VerifyResult,
    VerifySuccess,
)
from ._standard_webhooks import (
    StandardWebhooksVerifier,
    parse_standard_webhooks_headers,
    sign_standard_webhooks,
    verify_standard_webhook,
    verify_standard_webhook_event,
)
from ._v1 import parse_v1_header, sign_v1, verify_signature, verify_webhook

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "SECRET_PREFIX",
    "StandardWebhookResult",
    "StandardWebhookSuccess",
    "StandardWebhooksVerifier",
    "VerifyFailure",
    "VerifyFailureReason",
    "VerifyResult",
    "VerifySuccess",
    "WebhookEnvelope",
    "WebhookErrorReason",
    "WebhookVerificationError",
    "describe_reason",
    "parse_envelope",
    "parse_standard_webhooks_headers",
    "parse_v1_header",
    "sign_standard_webhooks",
    "sign_v1",
    "verify_signature",
    "verify_standard_webhook",
    "verify_standard_webhook_event",
    "verify_webhook",
]
