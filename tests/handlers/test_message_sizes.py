"""Property: for any catalogue, every message any surface builds (analysis, transfer
check, alerts, bulk, summary, App Home, every digest part) is within Slack's limits:
50 blocks (100 in a view), 3,000 characters a text, 10,000 of text and 15,000 of blocks
JSON in total (handlers/blocks/size.py), and the stand-in, as strict as Slack, takes it."""

from __future__ import annotations

import json
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import engine
from bot.engine.models import Rules
from bot.jobs.digest_plan import DigestEntry, DigestPlan
from bot.reports import (
    AlertEntry,
    AlertsReport,
    BulkItem,
    BulkReport,
    BulkSummary,
    Summary,
    alert_entry,
)
from bot.slack_standin.limits import VIEW_MAX_BLOCKS, block_errors, too_long
from handlers.blocks.analysis import build_analysis_blocks
from handlers.blocks.digest import build_digest_messages
from handlers.blocks.home import build_home_view
from handlers.blocks.reports import build_alerts_blocks, build_bulk_blocks, build_summary_blocks
from handlers.blocks.size import MESSAGE, VIEW, problems
from handlers.blocks.transfer import build_transfer_blocks
from tests.conftest import NOW
from tests.strategies import products

ZONE = ZoneInfo("Europe/Bucharest")
RULES = Rules()
names = st.one_of(st.none(), st.text(max_size=512), st.just("&<>" * 170))
skus = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=128)


@st.composite
def catalogues(draw):  # type: ignore[no-untyped-def]
    count = draw(st.integers(1, 120))
    found = []
    for index in range(count):
        snapshot = draw(products(sku=f"{draw(skus).strip() or 'S'}{index}"))
        found.append(snapshot.model_copy(update={"name": draw(names)}))
    return found


def _fits(blocks: list, budget=MESSAGE, slack_blocks: int = 50) -> None:  # type: ignore[no-untyped-def]
    assert problems(blocks, budget) == []
    assert block_errors(blocks, slack_blocks) == []
    assert not too_long(blocks)


def _entry(analysis) -> AlertEntry:  # type: ignore[no-untyped-def]
    """The alert line as the service makes it, every number in it."""
    return alert_entry(analysis)


SUMMARY = Summary(
    products_tracked=100_000,
    products_needing_attention=60_000,
    high=20_000,
    medium=20_000,
    low=20_000,
    zero_stock_with_competition=20_000,
    needs_weekly_update=5_000,
    weekly_update_compliance_pct=92.5,
    estimated_lost_sales_per_day=Decimal("123456789.12"),
    data_as_of=NOW,
    data_age_hours=1.0,
    stale=False,
    accounts={},
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogue=catalogues())
def test_every_message_of_every_surface_is_within_the_limits(catalogue) -> None:  # type: ignore[no-untyped-def]
    analyses = [engine.analyze(snapshot, NOW, RULES) for snapshot in catalogue]
    for snapshot, analysis in zip(catalogue[:10], analyses[:10], strict=False):
        _fits(build_analysis_blocks(analysis, NOW, ZONE, 24, snapshot))
        for rec in analysis.recommendations:
            if rec.is_transfer and rec.suggested_amount:
                proposal = engine.parse_proposal(
                    snapshot.sku, rec.from_account, rec.to_account, rec.suggested_amount
                )
                check = engine.validate_transfer(snapshot, proposal, NOW, RULES)
                _fits(build_transfer_blocks(check, NOW, ZONE, 24))
    alerting = [a for a in analyses if a.priority != "normal"]
    report = AlertsReport(
        alerts=[_entry(a) for a in alerting[:50]], counts={"high": 1}, total=9, limit=50
    )
    _fits(build_alerts_blocks(report))
    home = build_home_view(SUMMARY, report, NOW, ZONE, 24)
    _fits(home["blocks"], VIEW, VIEW_MAX_BLOCKS)
    bulk = BulkReport(
        requested=min(100, len(catalogue)),
        found=min(100, len(catalogue)),
        results=[BulkItem(sku=a.sku, found=True, analysis=a) for a in analyses[:100]],
        summary=BulkSummary(total_analyzed=0, action_required=0, high_priority=0),
    )
    _fits(build_bulk_blocks(bulk))
    _fits(build_summary_blocks(SUMMARY, NOW, ZONE, 24))
    plan = DigestPlan(
        counts={"high": 1, "medium": 2, "low": 3},
        lost_sales_per_day=Decimal("99999999.99"),
        data_as_of=NOW,
        stale=True,
        entries=[
            DigestEntry(
                i,
                a.sku,
                a.name,
                a.priority,
                "new",
                tuple(a.issues),
                a.current_situation.stock_main,
                a.current_situation.stock_fbe,
                a.recommendations[0] if a.recommendations else None,
                Decimal("12.5"),
            )
            for i, a in enumerate(alerting)
        ],
        overflow=7,
        resolved_skus=[snapshot.sku for snapshot in catalogue],
        unchanged=3,
        snoozed=1,
        late_note="Late: the attempt of 2026-11-24 failed (" + "&<x>" * 600 + ")",
    )
    payloads, _ = build_digest_messages(plan, ZONE)
    for payload in payloads:
        _fits(payload["blocks"])  # type: ignore[arg-type]


def test_an_empty_catalogue_says_how_to_fill_it_and_no_percentage() -> None:
    empty = SUMMARY.model_copy(
        update={"products_tracked": 0, "weekly_update_compliance_pct": None, "data_as_of": None}
    )
    text = json.dumps(build_summary_blocks(empty, NOW, ZONE, 24))
    assert "catalogue is empty" in text and "stockbot import" in text
    assert "%" not in text
