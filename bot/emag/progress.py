"""What long work with eMAG (the sync's reads, the weekly re-send) tells whoever watches it
as it goes: a terminal's progress bars in bot/cli, nothing elsewhere.

The work calls an `EmagProgress` from each account's own thread; this base class hears
nothing, so the work never asks whether anyone is watching and does the same either way.
"""

from __future__ import annotations

from bot.emag.ratelimit import Wait
from bot.engine.models import Account


class EmagProgress:
    """Per account: how many offers the work covers, each step done, each rate wait."""

    def counted(self, account: Account, offers: int) -> None:
        """The work covers `offers` offers (eMAG's `product_offer/count` for a read, the
        stored offers due for a re-send)."""

    def stepped(self, account: Account, offers: int, calls: int = 1) -> None:
        """`offers` more offers are done, in `calls` calls to eMAG: a page read or a batch
        sent (0 for offers passed over without a call)."""

    def waiting(self, account: Account, seconds: float) -> None:
        """The next call waits `seconds` for the local rate limiter (eMAG's budget);
        0.0 once it is let through."""

    def storing(self, account: Account) -> None:
        """The account's read is complete; its offers are being stored."""

    def waits_of(self, account: Account) -> Wait:
        """The `on_wait` callback of the account's calls (`SlidingWindowLimiter.acquire`)."""
        return lambda seconds: self.waiting(account, seconds)
