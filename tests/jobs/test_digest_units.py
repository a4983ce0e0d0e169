"""The digest's pure parts: comparison with the last digest, message splitting, scheduling."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.engine.models import Recommendation
from bot.jobs.digest_plan import Baseline, CurrentAlert, DigestEntry, DigestPlan, compare
from bot.jobs.scheduler import DIGEST_JOB, MISFIRE_GRACE_SECONDS, build_scheduler
from bot.settings import ConfigError, load_settings
from bot.slack_standin.limits import block_errors, too_long
from handlers.blocks.digest import HEAD_ALERTS, HEAD_BUDGET, build_digest_messages, mark_resolved
from handlers.blocks.size import MESSAGE, problems
from tests.conftest import NOW

ZONE = ZoneInfo("Europe/Bucharest")


def alert(product_id: int, priority: str = "high") -> CurrentAlert:
    return CurrentAlert(product_id, f"SKU{product_id}", priority, ("zero_stock_with_competition",))


def test_compare_sorts_alerts_into_new_worse_unchanged_and_resolved():
    baseline = {
        1: Baseline("medium", "1.0"),
        2: Baseline("high", "1.0"),
        3: Baseline("high", "1.0"),
        4: Baseline("low", None),
    }
    current = [alert(1, "high"), alert(2, "high"), alert(3, "low"), alert(5, "low")]
    changes = compare(current, baseline, snoozed={})
    assert [a.product_id for a in changes.new] == [5]
    assert [a.product_id for a in changes.worse] == [1]
    assert [a.product_id for a in changes.unchanged] == [2, 3]
    assert changes.resolved == [4]


def test_snoozed_alerts_stay_out_unless_worse():
    current = [alert(1, "medium"), alert(2, "high")]
    changes = compare(current, {}, snoozed={1: "medium", 2: "medium"})
    assert [a.product_id for a in changes.new] == [2]
    assert changes.snoozed == 1


def transfer() -> Recommendation:
    return Recommendation(
        type="stock_transfer",
        priority="high",
        reason="MAIN has 0 stock with competition - losing buy button",
        from_account="fbe",
        to_account="main",
        suggested_amount=10,
    )


def plan(entries: int, resolved: int = 0, **extra) -> DigestPlan:  # type: ignore[no-untyped-def]
    return DigestPlan(
        counts=extra.get("counts", {"high": entries, "medium": 0, "low": 0}),
        lost_sales_per_day=Decimal("1234.5"),
        data_as_of=NOW,
        stale=False,
        entries=[
            DigestEntry(
                i,
                f"SKU<{i}>",
                "Name & co",
                "high",
                "new",
                ("zero_stock_with_competition",),
                0,
                26,
                transfer(),
            )
            for i in range(entries)
        ],
        overflow=0,
        resolved_skus=[f"OLD{i}" for i in range(resolved)],
        unchanged=7,
        snoozed=0,
        late_note=extra.get("late_note"),
        since=date(2026, 11, 24),
    )


def _alert_ids(payload: dict) -> list[int]:
    return [
        int(block["block_id"].split(":")[1])
        for block in payload["blocks"]
        if block.get("block_id", "").startswith("alert:")
    ]


def test_three_thousand_alerts_one_channel_message_the_rest_in_its_thread_within_limits():
    payloads, parts_of = build_digest_messages(plan(3000, resolved=400), ZONE)
    head, thread = payloads[0], payloads[1:]
    # The channel message: counts, lost sales, the first ten alerts, "N more in the thread".
    assert _alert_ids(head) == list(range(HEAD_ALERTS))
    text = json.dumps(head["blocks"])
    assert "*High* 3000" in text and "RON 1,234.50/day" in text
    assert "2990 more in the thread" in text
    assert "*Resolved since Tue 24 Nov (400)*" in text and "all of them in the thread" in text
    seen = []
    for index, payload in enumerate(payloads):
        # Within Slack's limits; the channel message with room for a validation in place.
        assert problems(payload["blocks"], HEAD_BUDGET if index == 0 else MESSAGE) == []
        assert block_errors(payload["blocks"]) == [] and not too_long(payload["blocks"])
        for product_id in _alert_ids(payload):
            assert parts_of[product_id] == index
            seen.append(product_id)
    assert sorted(seen) == list(range(3000))
    assert thread[0]["text"] == f"Stock alerts digest, continued (1 of {len(thread)})"
    resolved = "\n".join(json.dumps(p["blocks"]) for p in thread)
    assert all(f"OLD{i}\\n" in resolved or f'OLD{i}"' in resolved for i in range(400))


def test_entries_escape_mrkdwn_and_carry_the_proposal():
    payloads, _ = build_digest_messages(plan(1), ZONE)
    block = next(b for b in payloads[0]["blocks"] if b.get("block_id") == "alert:0")
    assert "SKU&lt;0&gt;" in block["text"]["text"] and "Name &amp; co" in block["text"]["text"]
    value = json.loads(block["accessory"]["value"])
    assert value == {"sku": "SKU<0>", "from_account": "fbe", "to_account": "main", "amount": 10}
    assert block["accessory"]["action_id"] == "validate_transfer"
    assert len(payloads) == 1


def test_nothing_new_says_how_many_alerts_are_still_open_never_all_clear():
    open_alerts = {"high": 78, "medium": 20, "low": 2}
    payloads, _ = build_digest_messages(plan(0, counts=open_alerts), ZONE)
    assert [p["text"] for p in payloads] == [
        "Nothing new since Tue 24 Nov; 100 alerts still open (78 high)."
    ]
    assert len(payloads[0]["blocks"]) == 1
    none_open = {"high": 0, "medium": 0, "low": 0}
    [quiet] = build_digest_messages(plan(0, counts=none_open), ZONE)[0]
    assert quiet["text"] == "All clear: no open alerts."
    assert build_digest_messages(plan(0), ZONE, nothing_new_line=False) == ([], {})


def test_mark_resolved_replaces_only_that_alert():
    payloads, _ = build_digest_messages(plan(3), ZONE)
    updated = mark_resolved(payloads[0], 1, "SKU1", NOW, ZONE)
    by_id = {b.get("block_id"): b for b in updated["blocks"]}
    assert "resolved at" in by_id["alert:1"]["text"]["text"] and "accessory" not in by_id["alert:1"]
    assert by_id["alert:0"] == next(
        b for b in payloads[0]["blocks"] if b.get("block_id") == "alert:0"
    )
    assert len(updated["blocks"]) == len(payloads[0]["blocks"])


def test_scheduler_job_uses_the_configured_cron_and_zone():
    settings = load_settings(
        STOCKBOT_DIGEST_CRON="42 7 9 * * mon-fri", STOCKBOT_TIMEZONE="Europe/Bucharest"
    )
    scheduler = build_scheduler(settings, lambda: None, blocking=False)
    job = scheduler.get_job(DIGEST_JOB)
    fields = {field.name: str(field) for field in job.trigger.fields}
    assert (fields["second"], fields["minute"], fields["hour"], fields["day_of_week"]) == (
        "42",
        "7",
        "9",
        "mon-fri",
    )
    assert str(job.trigger.timezone) == "Europe/Bucharest"
    assert job.coalesce is True and job.max_instances == 1
    assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS


def test_default_digest_time_is_not_round():
    job = build_scheduler(load_settings(), lambda: None, blocking=False).get_job(DIGEST_JOB)
    fields = {field.name: str(field) for field in job.trigger.fields}
    assert fields["second"] != "0" and fields["minute"] not in ("0", "30")


@pytest.mark.parametrize("expression", ["61 * * * * *", "every day", "* * * * * * *"])
def test_a_bad_cron_string_fails_at_start_naming_the_variable(expression):
    with pytest.raises(ConfigError) as caught:
        load_settings(STOCKBOT_DIGEST_CRON=expression)
    assert "STOCKBOT_DIGEST_CRON" in str(caught.value)
