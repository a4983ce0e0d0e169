"""The API tokens (STOCKBOT_API_TOKENS) checked in constant time, for the REST API and
the dashboard alike."""

from __future__ import annotations

import hmac
from collections.abc import Iterable


def matches_any(given: str, candidates: Iterable[str]) -> bool:
    """Whether `given` equals one of `candidates`; every candidate is compared, so the
    time taken does not tell which one (or whether an early one) matched."""
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(given.encode(), candidate.encode())
    return matched
