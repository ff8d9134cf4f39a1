"""What the result-returning verifiers give back. They never raise for a bad signature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union

from ._errors import VerifyFailureReason


@dataclass(frozen=True)
class VerifySuccess:
    """The signature verified; ``timestamp`` is the signed time in unix seconds."""

    timestamp: int
    ok: Literal[True] = True

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class StandardWebhookSuccess:
    """A verified Standard Webhooks message: its ``webhook-id`` and signed time (unix seconds)."""

    id: str
    timestamp: int
    ok: Literal[True] = True

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class VerifyFailure:
    """The signature did not verify; ``reason`` is one of the contract's reason codes."""

    reason: VerifyFailureReason
    ok: Literal[False] = False

    def __bool__(self) -> bool:
        return False


VerifyResult = Union[VerifySuccess, VerifyFailure]
StandardWebhookResult = Union[StandardWebhookSuccess, VerifyFailure]
