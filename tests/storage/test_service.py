"""StockService over a real database: lookups, alerts, summary and bulk."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, func, select
from sqlalchemy.engine import default

from bot.engine.models import Rules
from bot.errors import InsufficientStock, InvalidInput, NotFound
from bot.intake.demo_data import emg331
from bot.intake.seed import seed_demo, store_snapshots
from bot.service import StockService
from storage.models import AlertRecord, DailyStats, Offer, ProductStatus
from tests.conftest import NOW
from tests.factories import offer, product


@contextmanager
def counted_queries(service: StockService) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = service.sessions.kw["bind"]

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def demo(service: StockService) -> StockService:
    seed_demo(service.sessions, NOW, service.rules, products=300)
    return service


def test_emg331_is_found_by_sku_pnk_and_ean_in_any_case(demo):
    for key in ("EMG331", "  emg331 ", "DNN83CYBM", "dnn83cybm", "8266294692464"):
        analysis = demo.analyze(key)
        assert analysis.sku == "EMG331" and analysis.priority == "high"
        assert analysis.recommendations[0].suggested_amount == 10


def test_analyze_reads_with_two_statements_compiled_once_for_every_key(demo):
    # The snapshot by SKU, PNK or EAN, then its competition history: both built once.
    demo.analyze("EMG1001")
    hits: list[bool] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        hits.append(context.cache_hit is default.CACHE_HIT)

    engine = demo.sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        for key in ("EMG1002", "emg1003", "DNN83CYBM", "8266294692464"):
            demo.analyze(key)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert hits == [True] * 8


def test_unknown_sku_is_not_found(demo):
    with pytest.raises(NotFound):
        demo.analyze("NOPE-1")


def test_validate_emg331_against_the_database(demo):
    check = demo.validate_transfer("emg331", "fbe", "main", "10")
    assert check.proposed_state == {"stock_fbe": 16, "stock_main": 10}
    with pytest.raises(InsufficientStock):
        demo.validate_transfer("EMG331", "fbe", "main", 27)


def test_alert_counts_cover_the_whole_catalogue_beyond_the_page(demo):
    small = demo.alerts(limit=3)
    large = demo.alerts(limit=500)
    assert len(small.alerts) == 3
    assert small.counts == large.counts
    assert small.total == large.total == len(large.alerts)
    assert small.total > 3
    bulk = demo.bulk([entry.sku for entry in large.alerts])
    recount = {"high": 0, "medium": 0, "low": 0}
    for item in bulk.results:
        recount[item.analysis.priority] += 1
    assert recount == large.counts


def test_alerts_are_ordered_by_priority_then_lost_sales_then_sku(demo):
    entries = demo.alerts(limit=500).alerts
    order = {"high": 0, "medium": 1, "low": 2}
    # Unknown losses (no pace or price) sort as 0, after the known ones.
    keys = [(order[e.priority], -(e.estimated_lost_sales_per_day or 0), e.sku) for e in entries]
    assert keys == sorted(keys)
    assert all(entry.priority != "normal" for entry in entries)


@pytest.mark.parametrize("limit", [0, 501, "ten", -1])
def test_alerts_limit_is_checked(service, limit):
    with pytest.raises(InvalidInput):
        service.alerts(limit)


def test_alerts_and_summary_use_a_fixed_number_of_queries(service):
    seed_demo(service.sessions, NOW, service.rules, products=20)
    with counted_queries(service) as few:
        service.alerts(50)
        service.summary()
    seed_demo(service.sessions, NOW, service.rules, products=400)
    with counted_queries(service) as many:
        service.alerts(50)
        service.summary()
    assert len(few) == len(many) <= 8


def test_bulk_loads_every_sku_in_one_query_in_input_order(demo):
    skus = [f"EMG{1000 + i}" for i in range(250)] + ["MISSING", "emg331"]
    with counted_queries(demo) as statements:
        report = demo.bulk(skus)
    assert len(statements) == 1
    assert [item.sku for item in report.results] == skus
    assert report.results[-2].found is False and report.results[-2].error
    assert report.results[-1].analysis.sku == "EMG331"
    assert report.found == len(skus) - 1


def test_bulk_limits(service):
    with pytest.raises(InvalidInput):
        service.bulk([])
    with pytest.raises(InvalidInput):
        service.bulk(["X"] * 1001)


def test_summary_counts_and_compliance(service):
    store_snapshots(
        service.sessions,
        [
            product(offer("main", 0, 2, sent_days_ago=8), offer("fbe", 26, 2), sku="A"),
            product(offer("main", 20, 1), offer("fbe", 20, 1), sku="B"),
            product(offer("main", 3, 3), None, sku="C"),
        ],
        "csv",
        NOW,
        service.rules,
    )
    summary = service.summary()
    assert summary.products_tracked == 3
    assert (summary.high, summary.medium, summary.low) == (1, 1, 0)
    assert summary.products_needing_attention == 2
    assert summary.zero_stock_with_competition == 1
    assert summary.weekly_update_compliance_pct == 80.0  # 4 of 5 offers sent within 7 days
    assert summary.stale is False and summary.data_as_of == NOW


def test_seed_demo_is_idempotent(service):
    first = seed_demo(service.sessions, NOW, service.rules, products=50)
    with service.sessions() as session:
        offers_before = session.scalar(select(func.count()).select_from(Offer))
    second = seed_demo(service.sessions, NOW + timedelta(hours=1), service.rules, products=50)
    with service.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Offer)) == offers_before
    assert first == second


def test_history_opens_and_closes_alert_records(service):
    store_snapshots(service.sessions, [emg331(NOW)], "demo", NOW, service.rules)
    fixed = emg331(NOW).model_copy(deep=True)
    fixed.main.stock, fixed.fbe.stock = 10, 16
    fixed.main.last_sent_at = fixed.fbe.last_sent_at = NOW + timedelta(days=1)
    later = NOW + timedelta(days=1)
    store_snapshots(service.sessions, [fixed], "demo", later, service.rules)
    with service.sessions() as session:
        records = session.scalars(select(AlertRecord).order_by(AlertRecord.id)).all()
        days = session.scalars(select(DailyStats.day)).all()
    assert {(r.issue, r.account) for r in records} == {
        ("zero_stock_with_competition", "main"),
        ("needs_weekly_update", "main"),
    }
    assert all(r.opened_at == NOW and r.closed_at == later for r in records)
    assert sorted(days) == [NOW.date(), later.date()]
    assert service.analyze("EMG331").priority == "normal"


def test_other_thresholds_reclassify_the_stored_status(service):
    seed_demo(service.sessions, NOW, service.rules, products=120)
    default_counts = service.alerts(500).counts
    strict = StockService(service.sessions, Rules(low_stock=20, transfer_cap=3), clock=lambda: NOW)
    strict_report = strict.alerts(500)
    assert strict_report.counts != default_counts
    recount = {"high": 0, "medium": 0, "low": 0}
    for item in strict.bulk([entry.sku for entry in strict_report.alerts]).results:
        recount[item.analysis.priority] += 1
    assert recount == strict_report.counts
    assert service.alerts(500).counts == default_counts


def test_products_without_a_stored_status_are_classified_on_read(service):
    seed_demo(service.sessions, NOW, service.rules, products=40)
    expected = service.alerts(500).counts
    with service.sessions() as session, session.begin():
        session.execute(delete(ProductStatus))
    assert service.alerts(500).counts == expected


def test_a_new_process_finds_a_missing_stored_status_in_its_first_count(service):
    seed_demo(service.sessions, NOW, service.rules, products=40)
    expected = service.alerts(500)
    with service.sessions() as session, session.begin():
        session.execute(delete(ProductStatus).where(ProductStatus.product_id % 3 == 0))
    fresh = StockService(service.sessions, service.rules, clock=lambda: NOW)
    assert fresh.summary().high == expected.counts["high"]
    report = fresh.alerts(500)
    assert report.counts == expected.counts
    assert [entry.sku for entry in report.alerts] == [entry.sku for entry in expected.alerts]


def test_a_new_process_asking_for_alerts_first_reads_the_page_again_once_classified(service):
    # The page is read beside the counts' check; a stale classification found by the
    # check means the page is read again, in the order of the classification made current.
    seed_demo(service.sessions, NOW, service.rules, products=40)
    expected = service.alerts(500)
    with service.sessions() as session, session.begin():
        session.execute(delete(ProductStatus).where(ProductStatus.product_id % 2 == 0))
    report = StockService(service.sessions, service.rules, clock=lambda: NOW).alerts(500)
    assert report.counts == expected.counts
    assert [entry.sku for entry in report.alerts] == [entry.sku for entry in expected.alerts]


def test_an_ean_shared_by_two_products_is_ambiguous_not_a_guess(service):  # type: ignore[no-untyped-def]
    shared = "5940000000099"
    store_snapshots(
        service.sessions,
        [
            product(offer("main", 0, 2), offer("fbe", 26, 2), sku="AAA1").model_copy(
                update={"ean": shared}
            ),
            product(offer("main", 30, 1), offer("fbe", 30, 1), sku="BBB2").model_copy(
                update={"ean": shared}
            ),
        ],
        "csv",
        NOW,
        service.rules,
    )
    with pytest.raises(InvalidInput, match=r"several products \(AAA1, BBB2\): give the SKU"):
        service.analyze(shared)
    assert service.analyze("bbb2").sku == "BBB2"  # the SKU still finds it
    report = service.bulk([shared, "AAA1"])
    assert [item.found for item in report.results] == [False, True]
    assert "several products" in (report.results[0].error or "")


def test_counts_shared_by_alerts_and_summary_follow_every_write(service):
    seed_demo(service.sessions, NOW, service.rules, products=30)
    before = service.summary()
    assert service.alerts(5).counts["high"] == before.high
    # One more product at zero stock with competition: the next counts see it at once.
    store_snapshots(
        service.sessions,
        [product(offer("main", 0, 3), offer("fbe", 0, 3), sku="NEW1")],
        "csv",
        NOW,
        service.rules,
    )
    assert service.alerts(5).counts["high"] == before.high + 1
    assert service.summary().high == before.high + 1
