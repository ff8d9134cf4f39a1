"""Checks of what callers pass in: payload, secrets, clock and tolerance."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from typing import Union

from ._result import VerifyFailure

RawPayload = Union[bytes, bytearray, memoryview]

DEFAULT_TOLERANCE_SECONDS = 300
"""Default tolerance, in seconds (contract; Stripe and Standard Webhooks use the same 5 minutes)."""

SECRET_PREFIX = "whsec_"
"""Prefix of Posthorn (and Standard Webhooks / Svix / Stripe) signing secrets."""

MAX_UNIX_SECONDS = 2**53 - 1
"""The largest timestamp every implementation (JavaScript's safe integers included) reads exactly."""

_PARSED_HELP = (
    "Signatures are computed over the exact bytes sent; decoding or parsing and re-serializing "
    "changes them (key order, spacing, escapes such as \\u001B versus \\u001b, number formats), so "
    "only the raw body can verify. Pass request.body (Django), await request.body() (Starlette/"
    "FastAPI) or request.get_data() (Flask)."
)


def to_raw_bytes(payload: object) -> bytes:
    """The payload as bytes, or ``TypeError`` saying why a str or parsed object is refused."""
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, (bytearray, memoryview)):
        return bytes(payload)
    got = "a str" if isinstance(payload, str) else f"a {type(payload).__name__}"
    raise TypeError(f"payload must be the raw request body as bytes; got {got}. {_PARSED_HELP}")


def to_secret_list(secrets: Union[str, Sequence[str]]) -> list[str]:
    """At least one non-empty secret; a single str is a list of one."""
    items = [secrets] if isinstance(secrets, str) else list(secrets)
    if not items:
        raise ValueError("secrets must be a non-empty list of signing secrets")
    for secret in items:
        if not isinstance(secret, str) or not secret:
            raise TypeError("every secret must be a non-empty str")
    return items


def resolve_now(now: Union[int, float, None]) -> float:
    """The receiver's clock in unix seconds: ``now`` if given (0 included), else the system clock."""
    if now is None:
        return float(int(time.time()))
    if isinstance(now, bool) or not isinstance(now, (int, float)) or not math.isfinite(now):
        raise TypeError(f"now must be a finite number of unix seconds; got {now!r}")
    return float(now)


def resolve_tolerance(tolerance_seconds: Union[int, float]) -> float:
    """A tolerance in seconds, >= 0 (``math.inf`` switches the check off)."""
    if (
        isinstance(tolerance_seconds, bool)
        or not isinstance(tolerance_seconds, (int, float))
        or math.isnan(tolerance_seconds)
        or tolerance_seconds < 0
    ):
        raise ValueError(f"tolerance_seconds must be a number >= 0 (seconds); got {tolerance_seconds!r}")
    return float(tolerance_seconds)


_DIGITS = re.compile(r"[0-9]+")


def parse_unix_seconds(text: str) -> Union[int, None]:
    """A timestamp as sent: decimal digits only (no sign, fraction, exponent), at most 2^53 - 1."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_UNIX_SECONDS else None


STALE = VerifyFailure("stale_signature")


def is_fresh(timestamp: int, now: float, tolerance: float) -> bool:
    """|now - timestamp| <= tolerance, in both directions: a timestamp too far in the future is
    as suspect as an old one (Standard Webhooks does the same; Stripe checks only age)."""
    return abs(now - timestamp) <= tolerance


# What JavaScript's String.prototype.trim removes (WhiteSpace and LineTerminator), so the
# three implementations read headers identically. (str.strip would also remove \x1c-\x1f, \x85.)
_JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def js_trim(text: str) -> str:
    return text.strip(_JS_WHITESPACE)
