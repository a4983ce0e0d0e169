"""How old a product's data is, and whether it is too old to act on."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.engine.models import ACCOUNTS, ProductSnapshot, Rules


def days_since(moment: datetime | None, now: datetime) -> int | None:
    """Whole days from `moment` to `now`; None when it never happened."""
    if moment is None:
        return None
    return (now - moment).days


def data_as_of(product: ProductSnapshot) -> datetime | None:
    """The oldest read time among the product's offers: the age of its weakest data."""
    reads = [
        offer.last_read_at
        for account in ACCOUNTS
        if (offer := product.offer(account)) is not None and offer.last_read_at is not None
    ]
    return min(reads) if reads else None


def is_stale(as_of: datetime | None, now: datetime, rules: Rules) -> bool:
    """Whether data read at `as_of` is older than `stale_snapshot_hours` (or never read)."""
    return as_of is None or now - as_of > timedelta(hours=rules.stale_snapshot_hours)
