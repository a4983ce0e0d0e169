"""Decisions by the numbers, through the real storage: the pace from a CSV's `sales_30d`
and the stock history, demand-aware amounts, units in transit from a marked transfer
until the snapshot shows them (or they are overdue), and a snooze that says so."""

from __future__ import annotations

import io
from datetime import timedelta

from bot import interactions
from bot.engine.models import TransferProposal
from bot.intake.csv_import import parse_offers_csv
from bot.intake.demo_data import emg331
from bot.intake.seed import store_snapshots
from bot.service import StockService
from tests.conftest import NOW

HEADER = "sku,account,stock,number_of_offers,sale_price,last_sent_at"
SENT = (NOW - timedelta(days=1)).isoformat()


def _import(service: StockService, text: str, now=NOW) -> None:  # type: ignore[no-untyped-def]
    snapshots = parse_offers_csv(io.StringIO(text), now)
    store_snapshots(service.sessions, snapshots, "csv", now, service.rules)


def test_sales_30d_gives_the_pace_and_a_demand_aware_transfer_that_validates(service):
    _import(
        service,
        f"{HEADER},sales_30d\nDEM1,main,0,3,50.00,{SENT},90\nDEM1,fbe,60,3,50.00,{SENT},15\n",
    )
    analysis = service.analyze("DEM1")
    situation = analysis.current_situation
    assert (situation.sales_per_day_main, situation.sales_per_day_fbe) == (3.0, 0.5)
    assert situation.days_of_cover_fbe == 120.0
    assert situation.lost_sales_per_day_main == 150.0  # 3 a day at 50 lei, at 0 stock
    [transfer] = [rec for rec in analysis.recommendations if rec.is_transfer]
    # min(60 - max(5, ceil(0.5 x 14)), max(ceil(3 x 14), 5)) = min(53, 42)
    assert (transfer.from_account, transfer.to_account, transfer.suggested_amount) == (
        "fbe", "main", 42,
    )  # fmt: skip
    check = service.validate_transfer("DEM1", "fbe", "main", 42)
    assert (check.recommendation, check.warnings) == ("Proceed", [])


def test_without_sales_30d_the_seeds_rule_and_sales_unknown(service):
    _import(service, f"{HEADER}\nDEM1,main,0,3,50.00,{SENT}\nDEM1,fbe,60,3,50.00,{SENT}\n")
    analysis = service.analyze("DEM1")
    situation = analysis.current_situation
    assert situation.sales_per_day_main is None and situation.days_of_cover_main is None
    assert situation.lost_sales_per_day_main is None  # losing, but how much is unknown
    [transfer] = [rec for rec in analysis.recommendations if rec.is_transfer]
    assert transfer.suggested_amount == 10


def test_days_without_stock_are_left_out_of_the_pace(service):
    # Ten days ago the offer had no stock (the snapshot of that day): 29 days of sales.
    earlier = NOW - timedelta(days=10)
    sent = (earlier - timedelta(days=1)).isoformat()
    _import(service, f"{HEADER}\nDEM2,main,0,3,50.00,{sent}\nDEM2,fbe,9,3,50.00,{sent}\n", earlier)
    _import(service, f"{HEADER},sales_30d\nDEM2,main,40,3,50.00,{SENT},60\n")
    assert service.analyze("DEM2").current_situation.sales_per_day_main == round(60 / 29, 2)


def _mark(service: StockService, amount: int = 10) -> None:
    proposal = TransferProposal(sku="EMG331", from_account="fbe", to_account="main", amount=amount)
    interactions.mark_transferred(service, proposal, "U1", f"test:{amount}")


def test_a_marked_transfer_is_in_transit_until_the_stock_shows_it(service):
    store_snapshots(service.sessions, [emg331(NOW)], "demo", NOW, service.rules)
    assert service.analyze("EMG331").recommendations[0].suggested_amount == 10

    _mark(service)
    analysis = service.analyze("EMG331")
    assert analysis.current_situation.in_transit_main == 10
    assert analysis.current_situation.in_transit_since_main == NOW
    assert not any(rec.is_transfer for rec in analysis.recommendations)
    assert analysis.priority != "high"
    entry = next(e for e in service.alerts(50).alerts if e.sku == "EMG331")
    assert entry.in_transit_main == 10

    # An import in which MAIN has the 10 units: they arrived.
    later = NOW + timedelta(days=2)
    _import(
        service, f"{HEADER}\nEMG331,main,10,2,99.00,{SENT}\nEMG331,fbe,16,2,99.00,{SENT}\n", later
    )
    arrived = service.analyze("EMG331").current_situation
    assert (arrived.in_transit_main, arrived.stock_main) == (0, 10)


def test_a_transfer_not_seen_arriving_after_transit_days_raises_an_alert(service):
    store_snapshots(service.sessions, [emg331(NOW)], "demo", NOW, service.rules)
    _mark(service)

    later = NOW + timedelta(days=service.rules.transit_days, hours=1)
    # A new snapshot in which MAIN still has nothing.
    store_snapshots(service.sessions, [emg331(later)], "demo", later, service.rules)
    overdue = StockService(service.sessions, service.rules, clock=lambda: later)
    analysis = overdue.analyze("EMG331")
    [check] = [rec for rec in analysis.recommendations if rec.type == "check_transfer"]
    assert check.priority == "medium" and "not seen arriving" in check.reason
    assert "transfer_not_arrived" in analysis.issues
    assert analysis.current_situation.in_transit_main == 0
    entry = next(e for e in overdue.alerts(50).alerts if e.sku == "EMG331")
    assert "transfer_not_arrived" in entry.issues


def test_a_snooze_is_said_in_the_analysis_and_the_alerts(service):
    store_snapshots(service.sessions, [emg331(NOW)], "demo", NOW, service.rules)
    interactions.snooze(service, "EMG331", "3d", "U42")
    analysis = service.analyze("EMG331")
    assert analysis.snoozed_until == NOW + timedelta(days=3)
    assert analysis.snoozed_by == "U42"
    entry = next(e for e in service.alerts(50).alerts if e.sku == "EMG331")
    assert (entry.snoozed_until, entry.snoozed_by) == (NOW + timedelta(days=3), "U42")
