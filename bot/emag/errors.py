"""What can go wrong talking to eMAG, one class per thing the caller handles differently.

Every message starts with the account (MAIN/FBE) and is safe to show a person: it never
carries a credential, only what eMAG said and what to do about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.errors import StockbotError


class EmagError(StockbotError):
    """eMAG answered with an error, or did not answer usefully."""

    http_status = 502

    def __init__(
        self,
        account: str,
        message: str,
        *,
        status: int | None = None,
        messages: Sequence[str] = (),
    ) -> None:
        self.account = account
        self.status = status
        self.messages = list(messages)
        super().__init__(f"{account.upper()}: {message}")


class EmagAuthError(EmagError):
    """eMAG refused the login: wrong user/password or no API rights."""


class EmagIpNotWhitelistedError(EmagAuthError):
    """eMAG refused the calling IP: it must be added to the account's API whitelist."""


class EmagUnavailableError(EmagError):
    """Still 429/5xx/timeouts after every retry; the previous snapshot should be kept."""


class EmagIncompleteRead(EmagError):
    """A read returned fewer offers than eMAG counts: nothing may be deleted from it."""


class EmagNotFoundError(EmagError):
    """The offer id does not exist on this account."""

    http_status = 404


class EmagRequestError(EmagError):
    """eMAG rejected the content of a request (validation errors, campaign locks...)."""

    http_status = 400


class EmagFbeWriteError(EmagError):
    """Refused before sending: eMAG manages the stock, handling time and status of FBE."""

    http_status = 400


def envelope_messages(body: Any) -> list[str]:
    """Every human message in an eMAG answer: `messages`, the singular `message`, `errors`."""
    if not isinstance(body, dict):
        return []
    found: list[str] = []
    for key in ("messages", "message", "errors"):
        value = body.get(key)
        items = value if isinstance(value, list) else [value] if value else []
        for item in items:
            if isinstance(item, dict):
                field, text = item.get("field"), item.get("message") or item.get("text")
                found.append(f"{field}: {text}" if field else str(text or item))
            else:
                found.append(str(item))
    return found
