"""The competitor watch end to end: the fake eMAG moves ranks, sellers and best prices
between syncs as eMAG reports them; the real sync stores the history, and the alerts, the
analysis and the KPIs read it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.cli.textviews import render_alerts, render_analysis
from bot.emag.client import EmagClients
from bot.emag.sync import sync_accounts
from bot.engine.models import OfferSnapshot, ProductSnapshot, Rules
from bot.intake.seed import store_snapshots
from bot.kpis import kpis
from bot.runtime import Runtime
from handlers.blocks.analysis import build_analysis_blocks
from storage.models import AlertRecord, CompetitionRecord
from tests.fake_emag import FakeEmag

IDS = {"main": 501, "fbe": 502}
RULES = Rules()


def _list(fake: FakeEmag, sku: str, offers: int, stock: dict, rank: dict, offset: int = 0):  # type: ignore[no-untyped-def]
    for account in ("main", "fbe"):
        fake.add_offer(
            account,
            id=IDS[account] + offset,
            part_number=sku,
            part_number_key="PNKWATCH" + str(offset),
            sale_price="100.0000",
            best_offer_sale_price="100.0000",
            number_of_offers=offers,
            buy_button_rank=rank[account],
            stock=stock[account],
            status=1,
        )


def _times() -> list[datetime]:
    now = datetime.now(UTC).replace(microsecond=0)
    return [now - timedelta(hours=8), now - timedelta(hours=4), now]


def _of(runtime: Runtime, sku: str, issue: str) -> list:  # type: ignore[type-arg]
    alerts = runtime.service.alerts(limit=50).alerts
    return [entry for entry in alerts if entry.sku == sku and issue in entry.issues]


def test_buy_button_lost_in_stock_alerts_once_with_the_gap_and_resolves_as_a_recovery(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    _list(fake, "WATCH1", 3, {"main": 20, "fbe": 10}, {"main": 1, "fbe": 2})
    first, second, third = _times()
    assert sync_accounts(runtime, clients, first).ok
    assert not _of(runtime, "WATCH1", "buy_button_lost")

    # A competitor undercuts by 5%: eMAG moves our MAIN offer to rank 2.
    fake.set_competition("main", IDS["main"], buy_button_rank=2, best_offer_sale_price="95")
    assert sync_accounts(runtime, clients, second).ok

    assert len(_of(runtime, "WATCH1", "buy_button_lost")) == 1
    listed = " ".join(render_alerts(runtime.service.alerts(limit=50)).split())
    assert "buy button lost on MAIN - MAIN lost the buy button (now #2) with 20 in stock;" in listed
    assert "best offer 95.00 lei: 5.00 lei (5.0%) above" in listed
    analysis = runtime.service.analyze("WATCH1")
    (lost,) = [rec for rec in analysis.recommendations if rec.type == "buy_button_lost"]
    assert (lost.priority, lost.account, lost.rank) == ("medium", "main", 2)
    assert (lost.our_price, lost.best_price, lost.price_gap, lost.price_gap_pct) == (
        100.0,
        95.0,
        5.0,
        5.0,
    )
    assert "(5.0%) above" in lost.impact
    main = analysis.competition["main"]
    assert [point.rank for point in main.rank_history] == [1, 2]
    assert (main.competitors_now, main.price_gap_pct) == (1, 5.0)
    text = " ".join(render_analysis(analysis).split())
    assert "Competition: MAIN: 1 competing now, unknown a week ago; rank #1" in text
    assert "best offer RON 95.00: RON 5.00 (5.0%) above; buy button lost" in text
    blocks = build_analysis_blocks(analysis, third, ZoneInfo("UTC"), 24)
    (section,) = [b for b in blocks if b.get("text", {}).get("text", "").startswith("*Competition")]
    assert "RON 5.00 (5.0%) above" in section["text"]["text"]

    # A CSV import in between keeps the eMAG history and the watch state as they are.
    csv_row = OfferSnapshot(account="main", stock=20, number_of_offers=3)
    store_snapshots(
        runtime.sessions, [ProductSnapshot(sku="WATCH1", main=csv_row)], "csv", second, RULES
    )
    assert len(_of(runtime, "WATCH1", "buy_button_lost")) == 1

    fake.set_competition("main", IDS["main"], buy_button_rank=1, best_offer_sale_price="95")
    assert sync_accounts(runtime, clients, third).ok
    assert not _of(runtime, "WATCH1", "buy_button_lost")
    with runtime.sessions() as session:
        records = session.execute(
            select(AlertRecord.opened_at, AlertRecord.closed_at, AlertRecord.recovered_at).where(
                AlertRecord.issue == "buy_button_lost"
            )
        ).all()
        assert session.scalar(select(func.count()).select_from(CompetitionRecord)) == 6
    assert records == [(second, third, third)]
    report = kpis(runtime.sessions, third + timedelta(minutes=1), 30)
    assert report.buy_button_recovery_rate.value == 100.0


def test_two_more_sellers_on_the_pnk_make_one_new_seller_alert(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    _list(fake, "WATCH2", 2, {"main": 5, "fbe": 6}, {"main": 1, "fbe": 2}, offset=7)
    first, second, _third = _times()
    assert sync_accounts(runtime, clients, first).ok
    assert not _of(runtime, "WATCH2", "new_seller")

    for account in ("main", "fbe"):
        fake.set_competition(account, IDS[account] + 7, number_of_offers=4)
    assert sync_accounts(runtime, clients, second).ok

    assert len(_of(runtime, "WATCH2", "new_seller")) == 1
    news = [
        rec for rec in runtime.service.analyze("WATCH2").recommendations if rec.type == "new_seller"
    ]
    assert [(rec.priority, rec.new_sellers, rec.competitors) for rec in news] == [("low", 2, 2)]
    assert news[0].reason == "2 new sellers on the PNK since the last sync (2 competing now)"
    assert news[0].impact == "our price 100.00 lei is the best offer"


def test_a_best_price_eMAG_does_not_give_is_unknown_never_a_gap(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    _list(fake, "WATCH3", 3, {"main": 20, "fbe": 0}, {"main": 1, "fbe": None}, offset=20)
    first, second, _third = _times()
    assert sync_accounts(runtime, clients, first).ok
    fake.set_competition("main", IDS["main"] + 20, buy_button_rank=None, best_offer_sale_price=None)
    assert sync_accounts(runtime, clients, second).ok

    (lost,) = [
        rec
        for rec in runtime.service.analyze("WATCH3").recommendations
        if rec.type == "buy_button_lost"
    ]
    # FBE has no stock: nobody of ours sells, so it is high.
    assert (lost.priority, lost.impact, lost.price_gap) == ("high", "best price unknown", None)
