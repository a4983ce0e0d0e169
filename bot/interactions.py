"""What people change through Slack, checked and recorded: snoozing a SKU, marking a
transfer as done, and button clicks that must take effect once.

Reads go through StockService; this module is the one place that writes on a person's
behalf, so the admin rule and the once-only rule live here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

import bot.engine.phrases as phrases
from bot.emag.client import clients_from_settings
from bot.emag.writeback import change_main_stock
from bot.engine.models import TransferProposal
from bot.errors import InvalidInput, NotFound, StockbotError
from bot.i18n import _, error_text
from bot.runtime import Runtime
from bot.service import StockService
from bot.settings import ConfigError
from storage import interactions, messages
from storage.db import transaction
from storage.models import ActionClaim, TransferRecord
from storage.transits import record_transfer

MAX_SNOOZE = timedelta(days=90)
_DURATION = re.compile(r"^(\d{1,3})([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


class NotAllowed(StockbotError):
    """The person may not do this (STOCKBOT_ADMINS)."""


def check_admin(admins: list[str], user: str, what: str) -> None:
    """When admins are configured, only they may change things."""
    if admins and user not in admins:
        raise NotAllowed(f"only stockbot admins may {what}; ask one of them")


def parse_duration(text: str, now: datetime) -> datetime:
    """`3d`, `12h`, `2w` or a date such as `2027-01-15` (midnight UTC) -> the moment it
    ends."""
    value = text.strip()
    match = _DURATION.match(value.lower())
    if match:
        until = now + int(match.group(1)) * _UNITS[match.group(2)]
    else:
        try:
            given = datetime.fromisoformat(value)
            # A date or time without an offset is UTC; one with an offset keeps it.
            until = given.replace(tzinfo=UTC) if given.tzinfo is None else given.astimezone(UTC)
        except ValueError:
            raise InvalidInput(
                "duration",
                # The example is a date that would work: a week from now.
                phrases.NOT_A_DURATION.format(
                    text=f"`{text}`", example=(now + timedelta(days=7)).date().isoformat()
                ),
            ) from None
    if until <= now:
        raise InvalidInput("duration", "the snooze must end in the future")
    if until - now > MAX_SNOOZE:
        raise InvalidInput("duration", "a snooze lasts at most 90 days")
    return until


@dataclass
class SnoozeResult:
    sku: str
    until: datetime
    priority: str


def snooze(service: StockService, sku: str, duration: str, user: str) -> SnoozeResult:
    """Hide `sku` from digests until the end of `duration`, or until it gets worse."""
    now = service.clock()
    until = parse_duration(duration, now)
    analysis = service.analyze(sku)
    with transaction(service.sessions) as session:
        product = interactions.product_id(session, analysis.sku)
        if product is None:
            raise NotFound(sku)
        interactions.set_snooze(session, product, until, analysis.priority, user, now)
    return SnoozeResult(analysis.sku, until, analysis.priority)


def unsnooze(service: StockService, sku: str) -> tuple[str, bool]:
    """Show `sku` in digests again; (the SKU, whether it was snoozed)."""
    snapshot = service.snapshot(sku)
    with transaction(service.sessions) as session:
        product = interactions.product_id(session, snapshot.sku)
        if product is None:
            raise NotFound(sku)
        return snapshot.sku, interactions.clear_snooze(session, product)


def claim_click(service: StockService, key: str, user: str) -> ActionClaim | None:
    """None when this click takes effect; the earlier claim when it was already done."""
    return interactions.claim(service.sessions, key, user, service.clock())


def release_click(service: StockService, key: str) -> None:
    interactions.release(service.sessions, key)


@dataclass
class MarkedTransfer:
    record: TransferRecord
    created: bool


def mark_transferred(
    service: StockService, proposal: TransferProposal, user: str, key: str
) -> MarkedTransfer:
    """Record that `proposal` was carried out (its units are in transit from now); the
    same `key` records it only once."""
    now = service.clock()
    try:
        with transaction(service.sessions) as session:
            product = interactions.product_id(session, proposal.sku)
            if product is None:
                raise NotFound(proposal.sku)
            record = record_transfer(session, product, proposal, user, key, now, service.rules)
        return MarkedTransfer(record, True)
    except IntegrityError:
        with service.sessions() as session:
            earlier = interactions.transfer_record(session, key[:200])
        if earlier is None:
            raise
        return MarkedTransfer(earlier, False)


def push_main_after_transfer(
    runtime: Runtime, proposal: TransferProposal, user: str, key: str
) -> str | None:
    """Set MAIN's new stock on eMAG after an admin marked a transfer done.

    Only when STOCKBOT_ADMINS is set (and holds `user`) and eMAG is configured; None when
    there is nothing to write, else a line saying what happened. FBE stock is eMAG's.
    """
    settings = runtime.settings
    if not settings.admins or user not in settings.admins:
        return None
    try:
        clients = clients_from_settings(settings)
    except ConfigError:
        return None
    try:
        change = proposal.amount if proposal.to_account == "main" else -proposal.amount
        pushed = change_main_stock(
            runtime, clients.main, proposal.sku, change, runtime.service.clock()
        )
    except StockbotError as exc:
        return _(
            "MAIN stock not written: {why}; set it with `stockbot push-stock {sku} N` once "
            "that is fixed"
        ).format(why=error_text(exc), sku=proposal.sku)
    finally:
        for client in clients:
            client.close()
    with transaction(runtime.sessions) as session:
        record = interactions.transfer_record(session, key[:200])
        if record is not None:
            record.main_stock_written = True
    return _("MAIN stock set to {stock} on eMAG (was {before})").format(
        stock=pushed.stock, before=pushed.stock - change
    )


Blocks = list[dict[str, Any]]
EDIT_TRIES = 5
log = logging.getLogger(__name__)


def edit_message(
    service: StockService,
    channel: str,
    ts: str,
    seen: dict[str, Any],
    change: Callable[[Blocks], tuple[str, Blocks]],
    send: Callable[[str, Blocks], bool],
) -> bool:
    """Edit a Slack message from what it shows now, not from the copy a click carried.

    `seen` is the message as the click saw it (the starting point the first time);
    `change` makes the new text and blocks from the current ones; `send` puts them in
    Slack and says whether Slack took them. No transaction is open while `send` runs: when
    another edit was recorded meanwhile, Slack may show either, so this one is made again
    on top of the other and sent again; the last one sent then carries both. A refused
    edit records nothing."""
    if not ts:
        text, blocks = change(seen.get("blocks") or [])
        return send(text, blocks)
    for _attempt in range(EDIT_TRIES):
        with transaction(service.sessions) as session:
            current = messages.current_content(
                session,
                channel,
                ts,
                seen.get("text") or "",
                seen.get("blocks") or [],
                service.clock(),
            )
        text, blocks = change(current.blocks)
        if not send(text, blocks):
            return False
        with transaction(service.sessions) as session:
            if messages.record_edit(
                session, channel, ts, current.version, text, blocks, service.clock()
            ):
                return True
    log.warning("message %s in %s kept changing under %d edits", ts, channel, EDIT_TRIES)
    return True
