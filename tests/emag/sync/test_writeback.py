"""push_main_stock and resend_offers against the fake eMAG and a real database."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.emag.client import EmagClients
from bot.emag.sync import sync_accounts
from bot.emag.writeback import (
    WriteBackError,
    change_main_stock,
    push_main_stock,
    resend_offers,
)
from bot.errors import NotFound
from bot.runtime import Runtime
from storage.models import Offer, Product
from tests.fake_emag import FakeEmag

EMG331_MAIN, EMG331_FBE = 243409, 871204


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _offer(runtime: Runtime, sku: str, account: str) -> Offer:
    with runtime.sessions() as session:
        return session.scalars(
            select(Offer)
            .join(Product, Product.id == Offer.product_id)
            .where(Product.sku == sku, Offer.account == account)
        ).one()


@pytest.fixture
def synced(fake: FakeEmag, runtime: Runtime, clients: EmagClients) -> datetime:
    fake.populate(120)
    read_at = _now() - timedelta(hours=1)
    assert sync_accounts(runtime, clients, read_at).ok
    fake.clear_requests()
    return read_at


def test_push_stock_uses_the_main_offer_id_and_stores_after_success(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients, synced: datetime
):
    now = _now()
    result = push_main_stock(runtime, clients.main, "emg331", 7, now)

    assert (result.offer_id, result.stock, result.previous_stock) == (EMG331_MAIN, 7, 0)
    sent = fake.requests(path="offer_stock")
    assert [(r.account, r.method, r.path, r.body) for r in sent] == [
        ("main", "PATCH", f"offer_stock/{EMG331_MAIN}", {"stock": 7})
    ]
    assert fake.offer("main", EMG331_MAIN)["general_stock"] == 7
    assert fake.offer("fbe", EMG331_FBE)["general_stock"] == 26
    stored = _offer(runtime, "EMG331", "main")
    assert (stored.stock, stored.last_sent_at, stored.last_read_at) == (7, now, synced)
    assert runtime.service.analyze("EMG331").current_situation.stock_main == 7


def test_push_stock_refuses_fbe_and_unknown_skus(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients, synced: datetime
):
    with pytest.raises(WriteBackError, match="FBE: stock can only be pushed to MAIN"):
        push_main_stock(runtime, clients.fbe, "EMG331", 7, _now())
    with pytest.raises(NotFound):
        push_main_stock(runtime, clients.main, "NOPE-1", 7, _now())
    assert fake.requests(path="offer_stock") == []
    assert _offer(runtime, "EMG331", "fbe").stock == 26


def test_stock_refused_with_400_for_a_campaign_changes_nothing(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients, synced: datetime
):
    fake.lock_for_campaign("main", EMG331_MAIN)

    with pytest.raises(WriteBackError) as refused:
        push_main_stock(runtime, clients.main, "EMG331", 9, _now())

    message = str(refused.value)
    assert message.startswith("MAIN: ")
    assert "active campaign" in message and "not changed" in message
    assert "main-pass" not in message
    stored = _offer(runtime, "EMG331", "main")
    assert (stored.stock, stored.last_sent_at) == (0, None)
    assert fake.offer("main", EMG331_MAIN)["general_stock"] == 0


def test_resend_sends_stale_offers_in_batches_of_50_and_marks_them_sent(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients, synced: datetime
):
    now = _now()
    report = resend_offers(runtime, {"main": clients.main, "fbe": clients.fbe}, now)

    assert report.ok and report.sent == 240
    for account in ("main", "fbe"):
        saves = fake.requests(account, "offer/save")
        assert len(saves) == math.ceil(120 / 50)
        assert all(len(r.body) <= 50 for r in saves)
        # Unchanged price, never stock (FBE's belongs to eMAG, MAIN's may have moved).
        assert all(set(item) == {"id", "sale_price"} for r in saves for item in r.body)
        assert fake.save_count(account, EMG331_MAIN if account == "main" else EMG331_FBE) == 1
    assert _offer(runtime, "EMG331", "fbe").last_sent_at == now
    # Sent just now: nothing is stale any more.
    fake.clear_requests()
    again = resend_offers(runtime, {"main": clients.main}, now + timedelta(days=1))
    assert again.sent == 0 and fake.requests(path="offer/save") == []
    # A week later they are due again.
    later = resend_offers(runtime, {"main": clients.main}, now + timedelta(days=8))
    assert later.sent == 0 and later.accounts[0].skipped == 120  # but the read is too old


def test_one_offer_refused_inside_a_batch_keeps_its_date_and_is_reported(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients, synced: datetime
):
    # emag-api.md, Response envelope: isError false at the top, the refusal per offer.
    fake.lock_for_campaign("main", EMG331_MAIN)
    now = _now()

    report = resend_offers(runtime, {"main": clients.main}, now)

    main = report.accounts[0]
    assert not report.ok and report.refused == 1
    assert main.sent == 119 and main.batches == 3
    [refused] = main.refused
    assert (refused.sku, refused.offer_id) == ("EMG331", EMG331_MAIN)
    assert "active campaign" in refused.error
    with runtime.sessions() as session:
        rows = dict(
            session.execute(
                select(Offer.emag_offer_id, Offer.last_sent_at).where(Offer.account == "main")
            ).all()
        )
    assert rows.pop(EMG331_MAIN) is None  # never sent before, still not
    assert set(rows.values()) == {now}


def test_a_whole_batch_refused_keeps_every_date_of_it(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients, synced: datetime
):
    refusal = {"isError": True, "messages": ["Maximum input vars of 4000 exceeded"]}
    fake.fail("main", 200, path="offer/save", count=1, body=refusal)
    now = _now()

    main = resend_offers(runtime, {"main": clients.main}, now).accounts[0]

    assert main.sent == 70 and len(main.refused) == 50
    assert all("Maximum input vars" in r.error for r in main.refused)
    refused_ids = {r.offer_id for r in main.refused}
    with runtime.sessions() as session:
        rows = session.execute(
            select(Offer.emag_offer_id, Offer.last_sent_at).where(Offer.account == "main")
        ).all()
    assert {sent for offer_id, sent in rows if offer_id in refused_ids} == {None}
    assert {sent for offer_id, sent in rows if offer_id not in refused_ids} == {now}


def test_changing_main_stock_starts_from_what_emag_has_now(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients, synced: datetime
):
    fake.set_stock("main", EMG331_MAIN, 4)  # sold or restocked since the sync
    result = change_main_stock(runtime, clients.main, "EMG331", 10, _now())
    assert result.stock == 14
    assert fake.offer("main", EMG331_MAIN)["general_stock"] == 14

    fake.clear_requests()
    with pytest.raises(WriteBackError, match="MAIN has 14 of EMG331 on eMAG, cannot remove 20"):
        change_main_stock(runtime, clients.main, "EMG331", -20, _now())
    assert fake.requests(path="offer_stock") == []
