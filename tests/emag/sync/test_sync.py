"""sync_accounts against the fake eMAG over real HTTP and a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.emag.client import EmagClients
from bot.emag.sync import sync_accounts
from bot.engine.models import OfferSnapshot, ProductSnapshot
from bot.intake.seed import store_snapshots
from bot.runtime import Runtime
from storage.models import Offer, Product, SnapshotRun
from tests.emag.sync.conftest import MakeClients
from tests.fake_emag import FakeEmag

EMG331_IDS = {"main": 243409, "fbe": 871204}
BUCHAREST = ZoneInfo("Europe/Bucharest")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _stored(runtime: Runtime, account: str) -> dict[int, tuple[Offer, Product]]:
    with runtime.sessions() as session:
        rows = session.execute(
            select(Offer, Product)
            .join(Product, Product.id == Offer.product_id)
            .where(Offer.account == account)
        ).all()
    return {offer.emag_offer_id: (offer, product) for offer, product in rows}


def _emag_time(moment: datetime) -> str:
    return moment.astimezone(BUCHAREST).strftime("%Y-%m-%d %H:%M:%S")


def test_sync_of_two_by_2000_offers_lands_every_field(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.populate(2000)
    now = _now()

    report = sync_accounts(runtime, clients, now)

    assert report.ok, report
    assert [(r.account, r.offers, r.pages) for r in report.accounts] == [
        ("main", 2000, 20),
        ("fbe", 2000, 20),
    ]
    for account in ("main", "fbe"):
        stored = _stored(runtime, account)
        assert len(stored) == 2000
        for item in fake.offers(account):
            offer, product = stored[item["id"]]
            assert product.sku == item["part_number"]
            assert product.ean == item["ean"][0]
            if account == "main":  # MAIN describes the product; FBE's name may differ
                assert product.name == item["name"]
                assert product.pnk == item["part_number_key"]
            assert offer.pnk == item["part_number_key"]
            assert offer.stock == offer.general_stock == item["general_stock"]
            assert offer.estimated_stock == item["estimated_stock"]
            assert offer.number_of_offers == item["number_of_offers"]
            assert offer.buy_button_rank == item["buy_button_rank"]
            assert offer.sale_price == Decimal(item["sale_price"])
            assert offer.best_offer_sale_price == Decimal(item["best_offer_sale_price"])
            assert offer.status == item["status"]
            assert offer.last_read_at == now
            assert offer.last_sent_at is None
            assert offer.sales_velocity == 0  # no orders on the fake
    # EMG331: same product, a different seller id per account.
    main, fbe = _stored(runtime, "main"), _stored(runtime, "fbe")
    assert main[EMG331_IDS["main"]][1].id == fbe[EMG331_IDS["fbe"]][1].id
    assert main[EMG331_IDS["main"]][0].stock == 0
    assert fbe[EMG331_IDS["fbe"]][0].stock == 26
    with runtime.sessions() as session:
        runs = session.scalars(select(SnapshotRun).order_by(SnapshotRun.account)).all()
    assert [(r.account, r.status, r.offers_count, r.source) for r in runs] == [
        ("fbe", "ok", 2000, "emag"),
        ("main", "ok", 2000, "emag"),
    ]
    analysis = runtime.service.analyze("EMG331")
    assert analysis.current_situation.stock_main == 0
    assert analysis.current_situation.stock_fbe == 26
    assert not analysis.stale


def test_sales_velocity_counts_sold_units_of_the_last_30_days_per_account(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.populate(20)
    now = _now()
    line = {"part_number": "EMG331", "part_number_key": "DNN83CYBM", "sale_price": "99.0000"}
    for days, quantity, status in ((1, 2, 4), (5, 3, 4), (10, 1, 1), (12, 4, 0), (40, 9, 4)):
        fake.add_order(
            "main",
            date=_emag_time(now - timedelta(days=days)),
            products=[{**line, "quantity": quantity}],
            status=status,
        )
    fake.add_order(
        "fbe", date=_emag_time(now - timedelta(days=2)), products=[{**line, "quantity": 15}]
    )

    report = sync_accounts(runtime, clients, now)

    assert all(result.velocity_updated for result in report.accounts)
    main, fbe = _stored(runtime, "main"), _stored(runtime, "fbe")
    # 2 + 3 + 1 units (the cancelled and the 40-day-old orders do not count) over 30 days.
    assert main[EMG331_IDS["main"]][0].sales_velocity == Decimal("0.2000")
    assert fbe[EMG331_IDS["fbe"]][0].sales_velocity == Decimal("0.5000")
    assert {
        offer.sales_velocity for offer, _ in main.values() if offer.emag_offer_id != 243409
    } == {Decimal(0)}


def test_main_failing_with_502_keeps_its_previous_snapshot_and_fbe_still_syncs(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.populate(300)
    first = _now() - timedelta(hours=30)
    assert sync_accounts(runtime, clients, first).ok
    fake.add_offer("fbe", part_number="NEWFBE1", stock=4)
    fake.fail("main", 502)  # every MAIN request, every retry

    second = _now()
    report = sync_accounts(runtime, clients, second)

    main_result, fbe_result = report.accounts
    assert main_result.status == "failed" and fbe_result.status == "ok"
    assert main_result.error.startswith("MAIN: ") and "502" in main_result.error
    assert fbe_result.offers == 301
    main = _stored(runtime, "main")
    assert len(main) == 300  # nothing deleted
    assert {offer.last_read_at for offer, _ in main.values()} == {first}
    fbe = _stored(runtime, "fbe")
    assert len(fbe) == 301
    assert {offer.last_read_at for offer, _ in fbe.values()} == {second}
    with runtime.sessions() as session:
        failed = session.scalars(select(SnapshotRun).where(SnapshotRun.status == "failed")).all()
    assert [(run.account, run.error) for run in failed] == [("main", main_result.error)]
    assert "pass" not in main_result.error
    # The MAIN side is older than the stale threshold: the analysis says so.
    assert runtime.service.analyze("EMG331").stale


def test_offers_missing_from_a_completed_read_are_removed_for_that_account_only(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.populate(30)
    earlier = _now() - timedelta(hours=2)
    gone = ProductSnapshot(
        sku="GONE1",
        main=OfferSnapshot(account="main", offer_id=999, stock=3, last_read_at=earlier),
        fbe=OfferSnapshot(account="fbe", offer_id=998, stock=5, last_read_at=earlier),
    )
    store_snapshots(runtime.sessions, [gone], "csv", earlier, runtime.service.rules)
    fake.fail("fbe", 503)

    report = sync_accounts(runtime, clients, _now())

    assert [r.removed for r in report.accounts] == [1, 0]
    assert 999 not in _stored(runtime, "main")
    assert 998 in _stored(runtime, "fbe")  # FBE failed: kept as it was
    analysis = runtime.service.analyze("GONE1")
    assert analysis.listed_on == ["fbe"]


def test_an_empty_read_never_wipes_a_stored_account(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    earlier = _now() - timedelta(hours=2)
    kept = ProductSnapshot(
        sku="KEPT1", main=OfferSnapshot(account="main", offer_id=5, last_read_at=earlier)
    )
    store_snapshots(runtime.sessions, [kept], "csv", earlier, runtime.service.rules)

    report = sync_accounts(runtime, clients, _now())

    assert report.accounts[0].status == "failed"
    assert "no offers" in report.accounts[0].error
    assert 5 in _stored(runtime, "main")


def test_pnk_differing_between_accounts_is_reported(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.populate(10)
    fake.add_offer("main", part_number="MIX1", part_number_key="AAAAAAAA2")
    fake.add_offer("fbe", part_number="MIX1", part_number_key="BBBBBBBB3")

    report = sync_accounts(runtime, clients, _now())

    assert [(i.sku, i.main_pnk, i.fbe_pnk) for i in report.pnk_issues] == [
        ("MIX1", "AAAAAAAA2", "BBBBBBBB3")
    ]
    assert "MIX1" in report.pnk_issues[0].describe()


def test_sync_within_the_real_rate_limits_gets_no_429(runtime: Runtime, make_clients: MakeClients):
    with FakeEmag(rate_limits=True) as limited:
        limited.populate(550)  # 6 pages per account: two seconds at 3 requests a second
        # limiters=None: each client gets its login's real budget (3/s, 180/min).
        clients = make_clients(server=limited, limiters=None)
        report = sync_accounts(runtime, clients, _now())

        assert report.ok
        timings = {
            account: [(round(r.at, 3), r.status, r.path) for r in limited.requests(account)]
            for account in ("main", "fbe")
        }
        assert limited.throttled("main") == limited.throttled("fbe") == 0, timings
        assert limited.throttled("main") == limited.throttled("fbe") == 0
        assert len(_stored(runtime, "main")) == 550


def test_two_offers_of_one_account_under_one_sku_are_reported_not_merged(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
):
    fake.populate(5)
    fake.add_offer("main", id=3001, part_number="DUP1", general_stock=4)
    fake.add_offer("main", id=3002, part_number="dup1", general_stock=7)

    report = sync_accounts(runtime, clients, _now())

    main = report.accounts[0]
    assert main.status == "ok"
    assert main.sku_conflicts == ["dup1: offers 3001 and 3002"]
    stored = _stored(runtime, "main")
    assert 3001 in stored and 3002 not in stored
