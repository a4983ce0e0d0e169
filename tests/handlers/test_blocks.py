"""The Block Kit builders: structure, limits (checked as Slack checks them) and escaping."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import engine
from bot.engine.models import Rules
from bot.intake.demo_data import emg331, generated_catalogue
from bot.reports import AlertEntry, AlertsReport, BulkItem, BulkReport, BulkSummary
from bot.slack_standin.limits import block_errors
from handlers.blocks.analysis import build_analysis_blocks
from handlers.blocks.kit import (
    button,
    clip,
    escape,
    escape_clipped,
    header,
    section,
    unescape,
)
from handlers.blocks.reports import build_alerts_blocks, build_bulk_blocks
from handlers.blocks.size import fit, problems
from handlers.blocks.transfer import build_transfer_blocks, replace_clicked
from handlers.commands import UsageError, parse_stock_command
from tests.conftest import NOW

ZONE = ZoneInfo("Europe/Bucharest")
RULES = Rules()
NASTY = "<!channel> *bold* & <https://x.example|click> " * 3


def _analysis(name: str | None = None, sku: str = "EMG331"):  # type: ignore[no-untyped-def]
    product = emg331(NOW - timedelta(hours=2)).model_copy(update={"name": name, "sku": sku})
    return product, engine.analyze(product, NOW, RULES)


def _all_text(blocks: list) -> str:
    return json.dumps(blocks)


def test_analysis_blocks_escape_names_and_carry_the_proposal() -> None:
    product, analysis = _analysis(name=NASTY, sku="EMG<331>")
    blocks = build_analysis_blocks(analysis, NOW, ZONE, 24, product)
    assert block_errors(blocks) == []
    text = _all_text([b for b in blocks if b["type"] != "header"])
    assert "<!channel>" not in text  # the name is shown only in the plain-text header
    assert "EMG&lt;331&gt;" in text
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    validate = next(e for e in buttons if e["action_id"] == "validate_transfer")
    assert engine.parse_proposal(**json.loads(validate["value"])).model_dump() == {
        "sku": "EMG<331>",
        "from_account": "fbe",
        "to_account": "main",
        "amount": 10,
    }


def test_analysis_blocks_flag_stale_data() -> None:
    product = emg331(NOW - timedelta(hours=30))
    analysis = engine.analyze(product, NOW, RULES)
    blocks = build_analysis_blocks(analysis, NOW, ZONE, 24, product)
    age = next(b for b in blocks if b.get("block_id") == "data_age")
    assert "30.0 h old" in age["elements"][0]["text"]
    assert "*STALE* (older than 24 h)" in age["elements"][0]["text"]


@settings(max_examples=60, deadline=None)
@given(name=st.text(max_size=400), sku=st.text(min_size=1, max_size=60).filter(str.strip))
def test_analysis_blocks_are_valid_for_any_name_and_sku(name: str, sku: str) -> None:
    product, analysis = _analysis(name=name, sku=sku)
    assert block_errors(build_analysis_blocks(analysis, NOW, ZONE, 24, product)) == []


def _entries(count: int) -> list[AlertEntry]:
    entries = []
    for product in generated_catalogue(count * 3, NOW):
        analysis = engine.analyze(product, NOW, RULES)
        if analysis.priority == "normal":
            continue
        entries.append(
            AlertEntry(
                sku=analysis.sku,
                name=NASTY,
                priority=analysis.priority,
                issues=analysis.issues,
                accounts=["main"],
                stock_main=analysis.current_situation.stock_main,
                stock_fbe=analysis.current_situation.stock_fbe,
                estimated_lost_sales_per_day=Decimal("12.5"),
                top_recommendation=analysis.recommendations[0],
                stale=False,
            )
        )
    return entries[:count]


@pytest.mark.parametrize("count", [0, 1, 47, 48, 50])
def test_alerts_fit_in_one_message_and_lose_no_sku(count: int) -> None:
    entries = _entries(count)
    report = AlertsReport(alerts=entries, counts={"high": count}, total=count, limit=50)
    blocks = build_alerts_blocks(report)
    assert block_errors(blocks) == []
    text = _all_text(blocks)
    assert all(entry.sku in text for entry in entries)
    assert "<!channel>" not in text
    assert count == 0 or "&lt;!channel&gt;" in text


def _more(blocks: list) -> int:
    """The N of an "and N more" line (0 when nothing was cut)."""
    found = re.search(r"and (\d+) more", _all_text(blocks[-2:]))
    return int(found.group(1)) if found else 0


def test_bulk_of_a_hundred_long_results_is_cut_within_limits_counting_the_rest() -> None:
    results = [BulkItem(sku=f"NOPE-{i}-" + "x" * 120, found=False) for i in range(60)]
    for product in list(generated_catalogue(40, NOW)):
        results.append(
            BulkItem(sku=product.sku, found=True, analysis=engine.analyze(product, NOW, RULES))
        )
    summary = BulkSummary(total_analyzed=40, action_required=40, high_priority=40)
    blocks = build_bulk_blocks(
        BulkReport(requested=100, found=40, results=results, summary=summary)
    )
    assert block_errors(blocks) == [] and problems(blocks) == []
    shown = [item for item in results if f"`{item.sku}`" in _all_text(blocks)]
    # Shown from the start, in order, and the rest counted: none silently lost.
    assert shown == results[: len(shown)] and len(shown) + _more(blocks) == 100
    assert _more(blocks) > 0


def test_lines_are_packed_into_sections_that_never_exceed_the_text_limit() -> None:
    blocks = fit([], ["*Title*", "y" * 5000, "short", "z" * 2999])
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)
    assert len(blocks) == 4  # no two of title, clipped y, short, z fit in one section


def test_a_button_value_over_2000_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="exceeds 2000"):
        button("Go", "validate_transfer", {"sku": "x" * 2000})


def test_validation_in_a_full_50_block_message_folds_into_the_clicked_block() -> None:
    product, _ = _analysis()
    check = engine.validate_transfer(
        product, engine.parse_proposal("EMG331", "fbe", "main", 10), NOW, RULES
    )
    full = [
        {
            "type": "section",
            "block_id": f"alert:{i}",
            "text": {"type": "mrkdwn", "text": f"alert {i}"},
            "accessory": button("Validate transfer", "validate_transfer", {"i": i}),
        }
        for i in range(50)
    ]
    result = build_transfer_blocks(check, NOW, ZONE, 24, block_prefix="alert:7:t")
    updated = replace_clicked(full, "alert:7", result, "Validated by <@U1> at 11:07")
    assert block_errors(updated) == []
    assert len(updated) == 50
    clicked = updated[7]
    assert "accessory" not in clicked
    assert "Proposed: FBE 16 / MAIN 10" in clicked["text"]["text"]
    assert "Validated by <@U1> at 11:07" in clicked["text"]["text"]
    assert all("accessory" in b for i, b in enumerate(updated) if i != 7)


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("", "help", []),
        ("  Analyze   emg331 ", "analyze", ["emg331"]),
        ("alerts", "alerts", []),
        ("transfer EMG331 fbe main 10", "transfer", ["EMG331", "fbe", "main", "10"]),
        ("snooze EMG331", "snooze", ["EMG331"]),
    ],
)
def test_parse_stock_command(text: str, name: str, args: list[str]) -> None:
    command = parse_stock_command(text)
    assert (command.name, command.args) == (name, args)


@pytest.mark.parametrize(
    "text", ["summary now", "unsnooze", "analyze A B", "snooze A 3d extra", "<@U1>"]
)
def test_parse_stock_command_refuses_wrong_forms(text: str) -> None:
    with pytest.raises(UsageError):
        parse_stock_command(text)


def test_analysis_shows_sales_per_day_and_cover_or_says_they_are_unknown() -> None:
    product = emg331(NOW - timedelta(hours=2))
    product.main.sales_velocity = None
    product.fbe.sales_velocity = Decimal("2")
    analysis = engine.analyze(product, NOW, RULES)
    text = _all_text(build_analysis_blocks(analysis, NOW, ZONE, 24, product))
    assert (
        "Sales: no sales data, cover \\u2014" in text
    )  # MAIN: unknown, never 0 (JSON-escaped dash)
    assert "Sales: 2.0/day, cover 13.0 days" in text  # FBE: 26 units at 2 a day


def test_an_offer_that_cannot_sell_is_said_so_and_gets_no_transfer_button() -> None:
    product = emg331(NOW - timedelta(hours=2))
    product.main.offer_validation, product.main.offer_validation_text = 2, "Invalid price"
    analysis = engine.analyze(product, NOW, RULES)
    blocks = build_analysis_blocks(analysis, NOW, ZONE, 24, product)
    text = _all_text(blocks)
    assert "Cannot sell on eMAG" in text and "Invalid price" in text
    assert "validate_transfer" not in text


@pytest.mark.parametrize(
    ("sent", "typed"),
    [("A&amp;B", "A&B"), ("&lt;x&gt;", "<x>"), ("&amp;lt;", "&lt;"), ("plain", "plain")],
)
def test_command_text_is_unescaped_as_slack_escaped_it(sent: str, typed: str) -> None:
    assert unescape(sent) == typed


@pytest.mark.parametrize("raw", ["&x" * 3000, "<@U1> " * 700, "x" * 2995 + "<https://e.example|y>"])
def test_clipping_never_cuts_through_an_entity_or_a_link(raw: str) -> None:
    for text in (clip(escape(raw)), escape_clipped(raw, 3000)):
        assert len(text) <= 3000 and text.endswith("...")
        assert re.search(r"&(?!amp;|lt;|gt;)", text) is None  # every & starts a whole entity
    # Our own mrkdwn (mentions, links) is clipped before a `<...>`, never inside it.
    mrkdwn = clip(raw)
    assert len(mrkdwn) <= 3000 and re.search(r"<[^>]*$", mrkdwn) is None


def test_fit_counts_what_it_cuts_and_stays_within_every_limit() -> None:
    head = [header("Title")]
    items = [section("y" * 2000, block_id=f"b{i}") for i in range(30)] + ["z" * 500] * 40
    blocks = fit(head, items)
    assert problems(blocks) == []
    kept = sum(1 for b in blocks if b.get("block_id")) + _all_text(blocks).count("z" * 500)
    assert kept + _more(blocks) == 70
