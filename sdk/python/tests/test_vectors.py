"""Every case of the shared vectors (test/vectors/README.md, "What a verifier must do with it")."""

from __future__ import annotations

import pytest

from posthorn.verifier import (
    StandardWebhookSuccess,
    VerifyFailure,
    VerifySuccess,
    sign_standard_webhooks,
    sign_v1,
    verify_signature,
    verify_standard_webhook,
)

from .conftest import VECTORS, body_of


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_case_signs_exactly(case):
    body = body_of(case)
    assert sign_v1(case["secrets"], case["timestamp"], body) == case["v1_header"]
    assert sign_standard_webhooks(case["secrets"], case["id"], case["timestamp"], body) == case["standard_webhooks"]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_case_verifies_with_all_secrets_and_each_alone(case):
    body = body_of(case)
    for secrets in [case["secrets"], *([s] for s in case["secrets"])]:
        result = verify_signature(body, case["v1_header"], secrets, now=case["timestamp"], tolerance_seconds=300)
        assert result == VerifySuccess(case["timestamp"])
        result = verify_standard_webhook(body, case["standard_webhooks"], secrets, now=case["timestamp"])
        assert result == StandardWebhookSuccess(case["id"], case["timestamp"])


@pytest.mark.parametrize("failure", VECTORS["failures"], ids=lambda f: f"{f['scheme']}: {f['name']}")
def test_failure_reports_the_expected_reason(failure):
    body = body_of(failure)
    kwargs = {"now": failure["now"], "tolerance_seconds": failure["tolerance_seconds"]}
    if failure["scheme"] == "v1":
        result = verify_signature(body, failure["header"], failure["secrets"], **kwargs)
    elif failure["scheme"] == "standard_webhooks":
        result = verify_standard_webhook(body, failure["headers"], failure["secrets"], **kwargs)
    else:
        pytest.fail(f"unknown scheme {failure['scheme']!r}")
    assert result == VerifyFailure(failure["expected_reason"])
