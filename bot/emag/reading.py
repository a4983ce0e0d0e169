"""Reading one eMAG account for the sync: its offers converted page by page and spooled
to a temporary file (memory stays flat in the catalogue's size), then its orders of the
velocity window as units sold per SKU. `bot.emag.sync` stores what a completed read got.
"""

from __future__ import annotations

import logging
import pickle
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import IO

from bot.emag.client import EmagClient
from bot.emag.convert import offer_from_item, units_sold
from bot.emag.errors import EmagError, EmagIncompleteRead
from bot.emag.first_offers import FirstOffers
from bot.emag.progress import EmagProgress
from bot.engine.models import Account
from storage.queries import lookup_key
from storage.sync_writes import SyncedOffer
from storage.velocity import SoldLine

logger = logging.getLogger("bot.emag.sync")

VELOCITY_DAYS = 30
# Offers per write inside the account's transaction: big enough for few round trips,
# small enough that memory does not grow with the catalogue.
APPLY_CHUNK = 2000


def spooled(handle: IO[bytes]) -> Iterator[list[SyncedOffer]]:
    """The spooled pages regrouped into chunks of about APPLY_CHUNK offers."""
    handle.seek(0)
    chunk: list[SyncedOffer] = []
    while True:
        try:
            page = pickle.load(handle)  # our own file, written by _read_account
        except EOFError:
            break
        chunk.extend(page)
        if len(chunk) >= APPLY_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _named(
    client: EmagClient, read: AccountRead, offers: list[SyncedOffer], progress: EmagProgress
) -> list[SyncedOffer]:
    """The offers with their category's name: eMAG sends only its id, so each id the
    read has not met yet (nor a previous sync: `read.categories`) is asked once."""
    missing = {
        o.category_id for o in offers if o.category_id and o.category_id not in read.categories
    }
    if missing:
        found = client.read_category_names(sorted(missing), progress.waits_of(client.account))
        read.categories.update(found)
        read.new_categories.update(found)
    return [
        offer._replace(category=read.categories.get(offer.category_id))
        if offer.category_id
        else offer
        for offer in offers
    ]


class AccountRead:
    def __init__(self, account: Account) -> None:
        self.account = account
        # Closed by close(), once the account is applied or has failed.
        self.spool: IO[bytes] = tempfile.TemporaryFile(prefix=f"stockbot-sync-{account}-")  # noqa: SIM115
        self.offers = 0
        self.pages = 0
        self.skipped = 0
        # The offer id first read for each SKU key: one offer per SKU and account.
        self.seen = FirstOffers()
        self.conflicts: list[str] = []
        self.units: list[SoldLine] | None = None
        self.velocity_error: str | None = None
        # eMAG category id -> name: those known before the read, and those it asked for.
        self.categories: dict[int, str] = {}
        self.new_categories: dict[int, str] = {}

    def close(self) -> None:
        self.spool.close()
        self.seen.close()


def _sold_lines(client: EmagClient, since: datetime, stop: threading.Event) -> list[SoldLine]:
    """The account's sold lines since `since`, page by page until done or told to stop."""
    lines: list[SoldLine] = []
    for page in client.read_orders(since):
        if stop.is_set():
            break
        lines.extend(units_sold([page], client.account))
    return lines


def read_account(
    client: EmagClient,
    now: datetime,
    categories: dict[int, str] | None = None,
    progress: EmagProgress | None = None,
) -> AccountRead:
    """Read the account's offers into a spool and, at the same time (orders have a budget
    of their own), its orders; raises EmagError, EmagIncompleteRead included.
    `progress` hears of the offers' count, each page and each wait of the offer calls
    (the orders' waits run beside them and hold nothing up).

    The offers read are checked against `product_offer/count`: fewer means a page came
    back short (emag-api.md, Reading offers), and such a read must delete nothing.
    """
    read = AccountRead(client.account)
    read.categories = dict(categories or {})
    stop = threading.Event()
    since = now - timedelta(days=VELOCITY_DAYS)
    try:
        with ThreadPoolExecutor(1, thread_name_prefix=f"orders-{client.account}") as pool:
            orders = pool.submit(_sold_lines, client, since, stop)
            try:
                _read_offers(client, read, progress or EmagProgress())
            except BaseException:
                stop.set()  # the orders thread ends at its next page
                raise
            try:
                read.units = orders.result()
            except EmagError as exc:
                # Offers are the snapshot; without orders the old velocities are kept.
                read.velocity_error = str(exc)
                logger.warning("%s: orders not read, velocities kept: %s", client.label, exc)
    except BaseException:
        read.close()
        raise
    return read


def _read_offers(client: EmagClient, read: AccountRead, progress: EmagProgress) -> None:
    on_wait = progress.waits_of(client.account)
    expected = client.count_offers(on_wait).items
    progress.counted(client.account, expected)
    received = 0
    for page in client.read_offers(expected=expected, on_wait=on_wait):
        received += len(page)
        offers = []
        for item in page:
            try:
                offers.append(offer_from_item(item))
            except ValueError as exc:
                read.skipped += 1
                logger.warning("%s: skipped an offer: %s", client.label, exc)
        firsts = read.seen.firsts([(lookup_key(o.sku), o.emag_offer_id) for o in offers])
        converted = []
        for offer, first in zip(offers, firsts, strict=True):
            if first != offer.emag_offer_id:
                # Two offers of one account under one SKU (e.g. differing only in case):
                # keeping either silently would hide the other from every check and
                # write, so the first stays and the conflict is reported.
                conflict = f"{offer.sku}: offers {first} and {offer.emag_offer_id}"
                read.conflicts.append(conflict)
                logger.warning("%s: one SKU, two offers: %s", client.label, conflict)
                continue
            converted.append(offer)
        converted = _named(client, read, converted, progress)
        pickle.dump(converted, read.spool, protocol=pickle.HIGHEST_PROTOCOL)
        read.pages += 1
        read.offers += len(converted)
        progress.stepped(client.account, len(page))
    if received < expected:
        raise EmagIncompleteRead(
            client.account,
            f"read {received} of the {expected} offers eMAG counts (a page came back "
            "short); nothing was deleted, the previous snapshot is kept",
        )
