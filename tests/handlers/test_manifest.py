"""manifest.yml and the code agree: every command and event registered is declared,
everything declared is registered, and every button a builder makes has a listener."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import engine
from bot.engine.models import Rules
from bot.engine.plan import PlanBuilder
from bot.intake.demo_data import emg331
from bot.reports import AlertEntry, AlertsReport, Summary
from handlers import ids, register_handlers
from handlers.blocks.analysis import build_analysis_blocks
from handlers.blocks.home import build_home_view
from handlers.blocks.modals import amount_modal
from handlers.blocks.plan import build_plan_blocks
from handlers.blocks.reports import build_alerts_blocks
from handlers.blocks.transfer import build_transfer_blocks
from tests.conftest import MANIFEST, NOW

ZONE = ZoneInfo("Europe/Bucharest")


class RecordingApp:
    """Stands where Bolt's App does in register_handlers and notes what is wired."""

    def __init__(self) -> None:
        self.wired: dict[str, set[str]] = defaultdict(set)

    def __getattr__(self, kind: str) -> Any:
        def register(name: str) -> Any:
            self.wired[kind].add(name)
            return lambda *listeners, **lazy: None

        return register


def _wired() -> dict[str, set[str]]:
    app = RecordingApp()
    register_handlers(app)  # type: ignore[arg-type]
    return app.wired


def _plan_with_both_transfer_lists():  # type: ignore[no-untyped-def]
    from tests.engine.test_plan import catalogue

    builder = PlanBuilder(1)
    for snapshot in catalogue():
        builder.add(snapshot, engine.analyze(snapshot, NOW, Rules()))
    return builder.plan(NOW)


def _action_ids(node: Any) -> set[str]:
    if isinstance(node, dict):
        if node.get("type") == "input":
            return set()  # an input submits with its view, it is not an action
        found = {node["action_id"]} if "action_id" in node else set()
        return found | {a for value in node.values() for a in _action_ids(value)}
    if isinstance(node, list):
        return {a for item in node for a in _action_ids(item)}
    return set()


def test_slash_commands_in_manifest_are_exactly_those_registered() -> None:
    declared = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert declared == _wired()["command"] == {ids.COMMAND}


def test_bot_events_in_manifest_are_exactly_those_registered() -> None:
    declared = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert declared == _wired()["event"] == set(ids.EVENTS)


def test_interactivity_is_on_because_actions_and_views_are_registered() -> None:
    wired = _wired()
    assert wired["action"] == set(ids.ACTIONS)
    assert wired["view"] == set(ids.VIEWS)
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def test_every_request_url_is_the_one_slack_endpoint() -> None:
    urls = [c["url"] for c in MANIFEST["features"]["slash_commands"]]
    urls += [
        MANIFEST["settings"]["event_subscriptions"]["request_url"],
        MANIFEST["settings"]["interactivity"]["request_url"],
    ]
    assert all(url.endswith("/slack/events") for url in urls)


def test_scopes_are_the_minimal_ones_used() -> None:
    # files:write for the Monday trend chart (files_upload_v2); channels:history and
    # groups:history for the digest to read its (public or private) channel back when
    # Slack's answer to a post was lost.
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "files:write",
        "channels:history",
        "groups:history",
    }
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_messages_tab_read_only_is_off_with_the_messages_tab_off() -> None:
    # Slack refuses a manifest that makes a disabled messages tab read-only.
    app_home = MANIFEST["features"]["app_home"]
    assert app_home["messages_tab_enabled"] is False
    assert app_home["messages_tab_read_only_enabled"] is False


def test_every_button_the_builders_make_has_a_listener() -> None:
    rules = Rules()
    product = emg331(NOW - timedelta(hours=1))
    analysis = engine.analyze(product, NOW, rules)
    check = engine.validate_transfer(
        product, engine.parse_proposal("EMG331", "fbe", "main", 10), NOW, rules
    )
    entry = AlertEntry(
        sku="EMG331",
        name=None,
        priority="high",
        issues=analysis.issues,
        accounts=["main", "fbe"],
        stock_main=0,
        stock_fbe=26,
        estimated_lost_sales_per_day=0,
        top_recommendation=analysis.recommendations[0],
        stale=False,
    )
    idle = entry.model_copy(update={"top_recommendation": analysis.recommendations[-1]})
    report = AlertsReport(alerts=[entry, idle], counts={"high": 1}, total=2, limit=10)
    summary = Summary.model_validate_json(
        json.dumps(
            {
                "products_tracked": 1,
                "products_needing_attention": 1,
                "high": 1,
                "medium": 0,
                "low": 0,
                "zero_stock_with_competition": 1,
                "needs_weekly_update": 1,
                "weekly_update_compliance_pct": 50.0,
                "estimated_lost_sales_per_day": "0",
                "data_as_of": None,
                "data_age_hours": None,
                "stale": True,
                "accounts": {},
            }
        )
    )
    made = _action_ids(
        [
            build_analysis_blocks(analysis, NOW, ZONE, 24, product),
            build_transfer_blocks(check, NOW, ZONE, 24),
            build_alerts_blocks(report),
            build_home_view(summary, report, NOW, ZONE, 24),
            amount_modal(engine.parse_proposal("EMG331", "fbe", "main", 10), {}),
            build_plan_blocks(_plan_with_both_transfer_lists(), ZONE),
        ]
    )
    assert made == set(ids.ACTIONS)
    assert made <= _wired()["action"]
