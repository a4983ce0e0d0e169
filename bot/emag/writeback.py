"""The only writes stockbot makes to eMAG: MAIN stock, and re-sending offers weekly.

Both store what they changed (`stock`, `last_sent_at`) only after eMAG accepted it, so a
refused or failed write leaves the snapshot as it was.

Re-sending: eMAG wants every offer updated at least every `weekly_update_days`, and an
offer re-sent unchanged satisfies it. The light `offer/save` is sent with the offer's `id`
and the `sale_price` we last read, i.e. unchanged. To avoid putting back a price changed
on eMAG since, only offers read within `stale_snapshot_hours` are re-sent; the others are
counted as skipped (run `stockbot sync` first). Stock is never re-sent: eMAG owns FBE's,
and MAIN's may have moved with orders since the read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from pydantic import BaseModel

from bot.emag.client import EmagClient
from bot.emag.convert import offer_from_item
from bot.emag.errors import EmagAuthError, EmagError, EmagUnavailableError
from bot.emag.offer_writes import SAVE_BATCH
from bot.emag.progress import EmagProgress
from bot.engine.models import ACCOUNTS
from bot.errors import NotFound, StockbotError
from bot.runtime import Runtime
from storage.db import transaction
from storage.sent_offers import (
    StoredOffer,
    count_to_resend,
    find_offer,
    mark_sent,
    offers_to_resend,
    set_sent_stock,
)

logger = logging.getLogger(__name__)


class WriteBackError(StockbotError):
    """A write to eMAG was refused before or by eMAG; nothing stored changed."""


class PushResult(BaseModel):
    sku: str
    offer_id: int
    stock: int
    previous_stock: int | None
    sent_at: datetime


class RefusedOffer(BaseModel):
    """An offer eMAG did not save, with its message; its `last_sent_at` is unchanged."""

    account: str
    sku: str
    offer_id: int
    error: str


class AccountResend(BaseModel):
    account: str
    sent: int = 0
    skipped: int = 0  # not read recently enough, or without a price
    batches: int = 0
    refused: list[RefusedOffer] = []
    stopped: str | None = None  # why the account was abandoned (auth, eMAG down)


class ResendReport(BaseModel):
    accounts: list[AccountResend]

    @property
    def sent(self) -> int:
        return sum(account.sent for account in self.accounts)

    @property
    def refused(self) -> int:
        return sum(len(account.refused) for account in self.accounts)

    @property
    def ok(self) -> bool:
        return not any(account.refused or account.stopped for account in self.accounts)


def push_main_stock(
    runtime: Runtime, client: EmagClient, sku: str, n: int, now: datetime
) -> PushResult:
    """Set the MAIN offer's stock of `sku` to `n` on eMAG, then in the snapshot.

    Uses the MAIN offer's own seller id (it differs from FBE's). FBE is refused: eMAG
    manages the stock of FBE offers.
    """
    if client.account != "main":
        raise WriteBackError(
            f"{client.label}: stock can only be pushed to MAIN; eMAG manages FBE stock"
        )
    if not 0 <= n <= 65_535:
        raise WriteBackError(f"stock must be between 0 and 65535, got {n}")
    with runtime.sessions() as session:
        offer = find_offer(session, sku, "main")
    if offer is None:
        with runtime.sessions() as session:
            if find_offer(session, sku, "fbe") is None:
                raise NotFound(sku)
        raise WriteBackError(f"{sku} has no MAIN offer stored; run `stockbot sync` first")
    if offer.emag_offer_id is None:
        raise WriteBackError(
            f"{offer.sku}: the MAIN offer id is unknown (imported data); run `stockbot sync`"
        )
    try:
        client.set_stock(offer.emag_offer_id, n)
    except EmagError as exc:
        raise WriteBackError(f"{exc} - MAIN stock of {offer.sku} not changed") from exc
    with transaction(runtime.sessions) as session:
        set_sent_stock(session, offer.id, n, now, runtime.service.rules)
    return PushResult(
        sku=offer.sku,
        offer_id=offer.emag_offer_id,
        stock=n,
        previous_stock=offer.stock,
        sent_at=now,
    )


def _payload(offer: StoredOffer) -> dict:
    assert offer.emag_offer_id is not None and offer.sale_price is not None
    return {"id": offer.emag_offer_id, "sale_price": f"{offer.sale_price:.4f}"}


def _resend_account(
    runtime: Runtime,
    client: EmagClient,
    now: datetime,
    stale_only: bool,
    progress: EmagProgress,
) -> AccountResend:
    rules = runtime.service.rules
    account = client.account
    result = AccountResend(account=account)
    sent_before = now - timedelta(days=rules.weekly_update_days) if stale_only else None
    read_after = now - timedelta(hours=rules.stale_snapshot_hours)
    with runtime.sessions() as session:
        progress.counted(account, count_to_resend(session, account, sent_before))
    on_wait = progress.waits_of(account)
    last_row = 0
    while True:
        with runtime.sessions() as session:
            page = offers_to_resend(
                session, client.account, sent_before, after_id=last_row, limit=SAVE_BATCH
            )
        if not page:
            return result
        last_row = page[-1].id
        batch = [
            offer
            for offer in page
            if offer.sale_price is not None
            and offer.last_read_at is not None
            and offer.last_read_at >= read_after
        ]
        result.skipped += len(page) - len(batch)
        if not batch:
            progress.stepped(account, len(page), calls=0)
            continue
        result.batches += 1
        try:
            outcome = client.save_offers([_payload(offer) for offer in batch], on_wait)
        except (EmagAuthError, EmagUnavailableError) as exc:
            result.stopped = str(exc)
            return result
        saved = set(outcome.saved)
        # Only what eMAG says it saved counts as sent; the rest keep their old date.
        with transaction(runtime.sessions) as session:
            mark_sent(
                session, [offer.id for offer in batch if offer.emag_offer_id in saved], now, rules
            )
        result.sent += len(saved)
        result.refused += [
            RefusedOffer(
                account=client.account,
                sku=offer.sku,
                offer_id=offer.emag_offer_id or 0,
                error=outcome.refused.get(offer.emag_offer_id or 0, "not saved"),
            )
            for offer in batch
            if offer.emag_offer_id not in saved
        ]
        progress.stepped(account, len(page))


def resend_offers(
    runtime: Runtime,
    client_per_account: Mapping[str, EmagClient],
    now: datetime,
    stale_only: bool = True,
    progress: EmagProgress | None = None,
) -> ResendReport:
    """Re-send offers through `offer/save` in batches of 50, per account given.

    With `stale_only`, only offers not sent for `weekly_update_days` (or never). Each
    offer eMAG saved gets `last_sent_at = now`; a refused one keeps its old value and is
    listed in the report with eMAG's message; auth failures and eMAG outages stop that
    account. `progress` hears of each account's count, batches and rate waits.
    """
    progress = progress or EmagProgress()
    accounts = [
        _resend_account(runtime, client_per_account[account], now, stale_only, progress)
        for account in ACCOUNTS
        if account in client_per_account
    ]
    return ResendReport(accounts=accounts)


def change_main_stock(
    runtime: Runtime, client: EmagClient, sku: str, change: int, now: datetime
) -> PushResult:
    """Add `change` (negative: remove) to MAIN's stock of `sku` as eMAG has it now.

    The offer is read back from eMAG first: the stored stock may be hours old, and orders
    since then would be overwritten by a write computed from it."""
    with runtime.sessions() as session:
        offer = find_offer(session, sku, "main")
    if offer is None or offer.emag_offer_id is None:
        raise WriteBackError(f"{sku} has no MAIN offer known to eMAG; run `stockbot sync` first")
    live = next(
        (
            offer_from_item(item)
            for page in client.read_offers(id=offer.emag_offer_id)
            for item in page
            if str(item.get("id")) == str(offer.emag_offer_id)
        ),
        None,
    )
    if live is None:
        raise WriteBackError(f"eMAG has no MAIN offer {offer.emag_offer_id} for {offer.sku}")
    current = live.stock or 0
    if current + change < 0:
        raise WriteBackError(f"MAIN has {current} of {offer.sku} on eMAG, cannot remove {-change}")
    return push_main_stock(runtime, client, offer.sku, current + change, now)
