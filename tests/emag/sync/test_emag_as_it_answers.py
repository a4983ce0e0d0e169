"""The sync against a fake eMAG that answers the hard way (emag-api.md): orders of both
accounts by their type, 100 a page, with lines keyed by the seller's offer id; offers eMAG
will not sell; a short page in the middle of a read; an IP eMAG has not whitelisted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import engine
from bot.emag.client import EmagClients
from bot.emag.pnk import pnk_issues
from bot.emag.sync import sync_accounts
from bot.runtime import Runtime
from storage.models import Offer, SnapshotRun
from tests.fake_emag import FakeEmag
from tests.fake_emag.data import CATEGORIES

EMG331 = {"main": 243409, "fbe": 871204}
BUCHAREST = ZoneInfo("Europe/Bucharest")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _local(moment: datetime) -> str:
    return moment.astimezone(BUCHAREST).strftime("%Y-%m-%d %H:%M:%S")


def _velocity(runtime: Runtime, account: str, offer_id: int) -> float | None:
    with runtime.sessions() as session:
        value = session.scalar(
            select(Offer.sales_velocity).where(
                Offer.account == account, Offer.emag_offer_id == offer_id
            )
        )
    return None if value is None else float(value)


def test_orders_of_both_accounts_give_sales_per_day_each_line_and_order_once(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.populate(10)
    now = _now()
    # 240 MAIN orders of one unit over 30 days: 8 a day; one order in twelve is attached to
    # another seller's documentation (its part_number is theirs, product_id is ours).
    for n in range(240):
        line = {"product_id": EMG331["main"], "quantity": 1}
        if n % 12 == 0:
            line["part_number"] = "OTHER-SELLERS-PN"
        fake.add_order("main", date=_local(now - timedelta(hours=3 * n + 1)), products=[line])
    # Removed lines, cancelled units and cancelled orders sold nothing.
    removed = {"product_id": EMG331["main"], "quantity": 5, "status": 0}
    fake.add_order("main", date=_local(now - timedelta(days=2)), products=[removed])
    storno = {"product_id": EMG331["main"], "quantity": 2, "storno_qty": 2}
    fake.add_order("main", date=_local(now - timedelta(days=3)), products=[storno])
    # 60 FBE orders (type 2, which eMAG leaves out unless asked for) of one unit: 2 a day.
    for n in range(60):
        line = {"product_id": EMG331["fbe"], "quantity": 1}
        fake.add_order("fbe", date=_local(now - timedelta(hours=12 * n + 1)), products=[line])
    # New orders arriving while MAIN's are read push 3 of page 1 onto page 2.
    fake.orders_arrive_during_read("main", 3)

    report = sync_accounts(runtime, clients, now)

    assert report.ok and all(result.velocity_updated for result in report.accounts)
    assert _velocity(runtime, "main", EMG331["main"]) == 8.0
    assert _velocity(runtime, "fbe", EMG331["fbe"]) == 2.0
    requests = fake.requests("fbe", "order/read")
    assert requests and {r.body["type"] for r in requests} == {2}
    assert {r.body["type"] for r in fake.requests("main", "order/read")} == {3}
    assert {r.body["itemsPerPage"] for r in requests} == {100}
    analysis = engine.analyze(runtime.service.snapshot("EMG331"), now, runtime.service.rules)
    situation = analysis.current_situation
    assert (situation.sales_per_day_main, situation.sales_per_day_fbe) == (8.0, 2.0)
    assert situation.days_of_cover_main == 0.0 and situation.days_of_cover_fbe == 13.0


def test_an_offer_emag_will_not_sell_gets_fixed_never_stocked(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.add_offer(
        "main", id=501, part_number="BADPRICE", part_number_key="PNKBAD001", stock=0,
        number_of_offers=3,
        offer_validation_status={"value": 2, "description": "Invalid price"},
    )  # fmt: skip
    fake.add_offer("fbe", id=502, part_number="BADPRICE", part_number_key="PNKBAD001",
                   stock=30, number_of_offers=3)  # fmt: skip

    assert sync_accounts(runtime, clients, _now()).ok
    analysis = runtime.service.analyze("BADPRICE")

    assert not any(rec.is_transfer for rec in analysis.recommendations)
    [fix] = [rec for rec in analysis.recommendations if rec.type == "fix_offer"]
    assert (fix.account, fix.priority) == ("main", "medium")
    assert "Invalid price" in fix.reason
    assert analysis.current_situation.sellable_main is False
    assert analysis.current_situation.sellable_fbe is True
    assert "unsellable_offer" in analysis.issues
    # The whole-catalogue classification agrees.
    report = runtime.service.alerts(10)
    [entry] = [e for e in report.alerts if e.sku == "BADPRICE"]
    assert entry.priority == "medium" and "unsellable_offer" in entry.issues


def test_a_short_page_mid_read_deletes_nothing_and_says_the_account_is_stale(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.populate(250)
    first = sync_accounts(runtime, clients, _now() - timedelta(hours=30))
    assert first.ok
    fake.short_page("main", page=2, missing=10)

    report = sync_accounts(runtime, clients, _now())

    main, fbe = report.accounts
    assert (main.status, fbe.status) == ("failed", "ok")
    assert "read 240 of the 250 offers" in main.error and "nothing was deleted" in main.error
    with runtime.sessions() as session:
        kept = session.scalar(select(Offer.id).where(Offer.account == "main").limit(1))
        stored = session.execute(select(Offer.account).where(Offer.account == "main")).all()
        run = session.scalars(
            select(SnapshotRun).where(SnapshotRun.account == "main").order_by(SnapshotRun.id.desc())
        ).first()
    assert kept is not None and len(stored) == 250
    assert run.status == "failed" and "short" in run.error
    summary = runtime.service.summary()
    assert summary.accounts["main"].last_run_status == "failed"
    assert runtime.service.analyze("EMG331").stale is True


def test_an_ip_emag_has_not_whitelisted_fails_that_account_alone_naming_it_and_the_ip(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.populate(20)
    assert sync_accounts(runtime, clients, _now()).ok
    fake.block_ip("fbe")

    report = sync_accounts(runtime, clients, _now())

    main, fbe = report.accounts
    assert main.status == "ok" and fbe.status == "failed"
    assert fbe.error.startswith("FBE: ") and "IP 127.0.0.1" in fbe.error
    with runtime.sessions() as session:
        fbe_offers = session.execute(select(Offer.id).where(Offer.account == "fbe")).all()
    assert len(fbe_offers) == 20


def test_pnk_check_by_ean_reads_emags_dict_answer(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.populate(12)
    assert sync_accounts(runtime, clients, _now()).ok
    # eMAG now files EMG002's EAN under another PNK than the one we hold.
    for account in ("main", "fbe"):
        [offer] = [o for o in fake.offers(account) if o["part_number"] == "EMG002"]
        fake.offers_by_id(account)[offer["id"]]["part_number_key"] = "ZZZZZZZZ9"

    issues = pnk_issues(runtime, clients.main)

    [issue] = [issue for issue in issues if issue.kind == "ean_other_pnk"]
    assert (issue.sku, issue.ean_pnk) == ("EMG002", "ZZZZZZZZ9")
    assert len(fake.requests("main", "documentation/find_by_eans")) == 1


def test_categories_come_by_id_named_by_category_read_once(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.populate(30)
    assert sync_accounts(runtime, clients, _now()).ok
    asked = fake.requests(path="category/read")
    ids = {o["category_id"] for o in fake.offers("main")} | {
        o["category_id"] for o in fake.offers("fbe")
    }
    # One call per category id the catalogue uses; the two accounts may share a few.
    assert {r.body["id"] for r in asked} == ids
    [main_offer] = [o for o in fake.offers("main") if o["part_number"] == "EMG331"]
    assert runtime.service.analyze("EMG331").category == CATEGORIES[main_offer["category_id"]]

    fake.clear_requests()
    assert sync_accounts(runtime, clients, _now()).ok
    assert fake.requests(path="category/read") == []  # known from the last sync
