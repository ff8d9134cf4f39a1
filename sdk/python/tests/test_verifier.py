"""Behavior beyond the vectors: the raising form, envelope parsing, misuse, headers."""

from __future__ import annotations

import math

import pytest

from posthorn.verifier import (
    StandardWebhooksVerifier,
    VerifyFailure,
    VerifySuccess,
    WebhookVerificationError,
    sign_standard_webhooks,
    sign_v1,
    verify_signature,
    verify_standard_webhook,
    verify_standard_webhook_event,
    verify_webhook,
)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ENVELOPE = (
    b'{"api_version":"v1","customer_id":"cus_1","data":{"lead":7},'
    b'"id":"evt_0123456789abcdef01234567","timestamp":1700000000,"type":"lead.created"}'
)


def test_verify_webhook_returns_the_envelope():
    header = sign_v1([SECRET], 1700000005, ENVELOPE)
    event = verify_webhook(ENVELOPE, header, SECRET, now=1700000005)
    assert event == {
        "api_version": "v1",
        "customer_id": "cus_1",
        "data": {"lead": 7},
        "id": "evt_0123456789abcdef01234567",
        "timestamp": 1700000000,
        "type": "lead.created",
    }


@pytest.mark.parametrize(
    "body",
    [b"[]", b'{"id":1}', b"\xff", b'{"api_version":"v1","customer_id":"c","data":[],"id":"e","timestamp":1,"type":"t"}',
     b'{"api_version":"v1","customer_id":"c","data":{},"id":"e","timestamp":1.5,"type":"t"}'],
)
def test_a_verified_body_that_is_no_envelope_is_invalid_payload(body):
    header = sign_v1([SECRET], 1700000000, body)
    with pytest.raises(WebhookVerificationError) as raised:
        verify_webhook(body, header, [SECRET], now=1700000000)
    assert raised.value.reason == "invalid_payload"


def test_signature_failure_is_reported_before_the_payload():
    with pytest.raises(WebhookVerificationError) as raised:
        verify_webhook(b"not json", "t=1700000000,v1=00", [SECRET], now=1700000000)
    assert raised.value.reason == "signature_mismatch"


def test_tolerance_boundary_and_an_explicit_zero_clock():
    header = sign_v1([SECRET], 0, b"{}")
    # now=0 is honored (the reference module treated 0 as "now").
    assert verify_signature(b"{}", header, [SECRET], now=0, tolerance_seconds=0) == VerifySuccess(0)
    header = sign_v1([SECRET], 1700000000, b"{}")
    assert verify_signature(b"{}", header, [SECRET], now=1700000300)
    assert verify_signature(b"{}", header, [SECRET], now=1700000301) == VerifyFailure("stale_signature")
    assert verify_signature(b"{}", header, [SECRET], now=0, tolerance_seconds=math.inf)


def test_results_are_truthy_only_on_success():
    assert not verify_signature(b"{}", "", [SECRET])
    assert verify_signature(b"{}", "", [SECRET]).reason == "malformed_header"


@pytest.mark.parametrize("payload", ["{}", {"a": 1}, None])
def test_only_raw_bytes_are_accepted(payload):
    with pytest.raises(TypeError, match="raw request body as bytes"):
        verify_signature(payload, "t=1,v1=00", [SECRET])


def test_bytearray_and_memoryview_are_raw_bytes_too():
    header = sign_v1([SECRET], 1700000000, b"{}")
    assert verify_signature(bytearray(b"{}"), header, [SECRET], now=1700000000)
    assert verify_signature(memoryview(b"{}"), header, [SECRET], now=1700000000)


def test_misuse_raises_instead_of_failing():
    with pytest.raises(ValueError):
        verify_signature(b"{}", "t=1,v1=00", [])
    with pytest.raises(ValueError):
        verify_signature(b"{}", "t=1,v1=00", [SECRET], tolerance_seconds=-1)
    with pytest.raises(ValueError) as raised:
        StandardWebhooksVerifier(["whsec_not base64!"])
    assert "not base64!" not in str(raised.value)


def test_standard_webhooks_header_names_in_any_case_but_not_twice():
    headers = sign_standard_webhooks([SECRET], "msg_1", 1700000000, b'{"a":1}')
    mixed = {"WEBHOOK-ID": headers["webhook-id"], "Webhook-Timestamp": headers["webhook-timestamp"],
             "webhook-signature": headers["webhook-signature"]}
    assert verify_standard_webhook(b'{"a":1}', mixed, [SECRET], now=1700000000)
    twice = {**mixed, "webhook-id": "msg_2"}
    assert verify_standard_webhook(b'{"a":1}', twice, [SECRET], now=1700000000) == VerifyFailure("malformed_header")


def test_standard_webhooks_verifier_event_and_tolerance_at_construction():
    verifier = StandardWebhooksVerifier([SECRET], tolerance_seconds=10)
    headers = verifier.sign("evt_0123456789abcdef01234567", 1700000005, ENVELOPE)
    assert verifier.verify_event(ENVELOPE, headers, now=1700000000)["type"] == "lead.created"
    headers = verifier.sign("evt_0123456789abcdef01234567", 1700000011, ENVELOPE)
    with pytest.raises(WebhookVerificationError) as raised:
        verify_standard_webhook_event(ENVELOPE, headers, [SECRET], tolerance_seconds=10, now=1700000000)
    assert raised.value.reason == "stale_signature"
    with pytest.raises(ValueError):
        StandardWebhooksVerifier([SECRET], tolerance_seconds=-1)
