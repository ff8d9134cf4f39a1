"""Our Standard Webhooks headers verify with the reference `standardwebhooks` package, and its
headers with ours, for every shared vector and every secret."""

from __future__ import annotations

import datetime

import pytest
from standardwebhooks import webhooks

from posthorn.verifier import StandardWebhookSuccess, sign_standard_webhooks, verify_standard_webhook

from .conftest import VECTORS, body_of


def freeze_reference_clock(monkeypatch, unix_seconds: int) -> None:
    """The vectors' timestamps are fixed; the package reads datetime.now() for its 5-minute check."""

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.fromtimestamp(unix_seconds, tz=tz)

    monkeypatch.setattr(webhooks, "datetime", FrozenDatetime)


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_reference_package_agrees(case, monkeypatch):
    freeze_reference_clock(monkeypatch, case["timestamp"])
    body = body_of(case)
    ours = sign_standard_webhooks(case["secrets"], case["id"], case["timestamp"], body)
    for secret in case["secrets"]:
        reference = webhooks.Webhook(secret)
        reference.verify(body, ours, json_parse=False)  # raises when it disagrees

        signed_at = datetime.datetime.fromtimestamp(case["timestamp"], tz=datetime.timezone.utc)
        theirs = {
            "webhook-id": case["id"],
            "webhook-timestamp": str(case["timestamp"]),
            "webhook-signature": reference.sign(case["id"], signed_at, body.decode("utf-8")),
        }
        result = verify_standard_webhook(body, theirs, [secret], now=case["timestamp"])
        assert result == StandardWebhookSuccess(case["id"], case["timestamp"])
