"""`/stock plan` over signed HTTP to the served app, answered at the Slack stand-in: the
totals within the message limits, the CSV attached to the channel's ID, and the *Mark
shipped* buttons recording a list as in transit once (admins only when set)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from slack_sdk.errors import SlackApiError

from bot import plan_service
from bot.engine import analyze
from bot.engine.models import Rules
from bot.engine.plan import PlanBuilder
from bot.intake.seed import store_snapshots
from bot.slack_client import make_web_client
from bot.slack_standin.limits import block_errors
from handlers.blocks.plan import build_plan_blocks
from handlers.blocks.size import MAX_BLOCKS_JSON, MAX_TOTAL_TEXT, json_length, text_length
from handlers.plan import plan_upload, upload_file
from storage.models import TransferRecord
from tests.conftest import NOW
from tests.engine.test_plan import catalogue
from tests.handlers.conftest import ADMIN, Bot, wait_for
from tests.handlers.test_slash_commands import _buttons, _text


def _plan_message(bot: Bot, user: str = "U1") -> dict:
    bot.sender.command("plan", user=user)
    return wait_for(lambda: [m for m in bot.slack.messages("C1") if "Stock plan" in _text(m)])[0]


def _records(bot: Bot) -> list[TransferRecord]:
    with bot.runtime.sessions() as session:
        return list(session.query(TransferRecord).all())


def test_plan_answers_in_channel_within_the_limits_with_the_totals_and_the_csv(bot: Bot) -> None:
    store_snapshots(bot.runtime.sessions, catalogue(), "csv", NOW, bot.runtime.service.rules)
    message = _plan_message(bot)
    assert block_errors(message["blocks"]) == []
    assert text_length(message["blocks"]) <= MAX_TOTAL_TEXT
    assert json_length(message["blocks"]) <= MAX_BLOCKS_JSON
    plan = plan_service.build(bot.runtime.service, 1)
    text = _text(message)
    assert f"Withdrawal from FBE (FBE -&gt; MAIN)*: {plan.withdrawal.units} units" in text
    assert "`EMG331`" in text and "Inbound to FBE (MAIN -&gt; FBE)*: 84 units, 3 SKUs" in text
    ships = [b for b in _buttons(message) if b["action_id"] == "mark_shipped"]
    assert [json.loads(b["value"])["list"] for b in ships] == ["inbound", "withdrawal"]
    [shared] = wait_for(lambda: [m for m in bot.slack.messages("C1") if m.get("files")])
    [stored] = bot.slack.files()
    assert shared["files"][0]["id"] == stored["id"]
    assert stored["filename"].startswith("stock-plan-") and stored["filename"].endswith(".csv")
    rows = list(csv.reader(io.StringIO(stored["data"].decode("utf-8-sig"))))
    assert rows[0][:2] == ["list", "SKU"]
    assert len(rows) == 1 + sum(plan_list.line_count for plan_list in plan.lists())
    # The message first, then its file.
    order = [m["ts"] for m in bot.slack.messages("C1")]
    assert order.index(message["ts"]) < order.index(shared["ts"])


def test_mark_shipped_on_inbound_puts_it_in_transit_and_stamps_the_button(bot: Bot) -> None:
    store_snapshots(bot.runtime.sessions, catalogue()[:3], "csv", NOW, bot.runtime.service.rules)
    message = _plan_message(bot)
    [inbound] = [b for b in _buttons(message) if b["block_id"] == "plan_ship:inbound"]
    assert inbound["confirm"]["confirm"]["text"] == "Mark shipped"
    before = plan_service.build(bot.runtime.service, 1).inbound
    bot.sender.click(message, "mark_shipped", inbound["block_id"], inbound["value"])
    edited = wait_for(
        lambda: [m for m in bot.slack.messages("C1") if "Marked shipped by" in _text(m)]
    )[0]
    assert f"Marked shipped by <@U1> at 11:07: {before.line_count} lines" in _text(edited)
    assert "plan_ship:inbound" not in _text(edited) and "plan_ship:withdrawal" in _text(edited)
    assert len(_records(bot)) == before.line_count
    assert plan_service.build(bot.runtime.service, 1).inbound.lines == []
    assert bot.runtime.service.analyze("IN0").current_situation.in_transit_fbe == 28

    bot.sender.click(message, "mark_shipped", inbound["block_id"], inbound["value"], user="U2")
    [note] = wait_for(lambda: bot.slack.ephemerals("C1"))
    assert note["text"].startswith("Already marked shipped by <@U1>")
    assert len(_records(bot)) == before.line_count


def test_mark_shipped_is_refused_to_non_admins(admin_bot: Bot) -> None:
    message = _plan_message(admin_bot)
    [button] = [b for b in _buttons(message) if b["block_id"] == "plan_ship:withdrawal"]
    admin_bot.sender.click(message, "mark_shipped", button["block_id"], button["value"])
    [note] = wait_for(lambda: admin_bot.slack.ephemerals("C1"))
    assert "only stockbot admins may mark shipments as sent" in note["text"]
    assert _records(admin_bot) == []
    admin_bot.sender.click(message, "mark_shipped", button["block_id"], button["value"], ADMIN)
    wait_for(lambda: _records(admin_bot))
    assert {record.to_account for record in _records(admin_bot)} == {"main"}


def test_a_file_upload_to_a_channel_name_fails_as_slack_fails(bot: Bot) -> None:
    bot.slack.add_channel("stock-plans")
    client = make_web_client(bot.runtime.settings)
    service = bot.runtime.service
    upload = plan_upload(service, plan_service.build(service, 1, 5))
    with pytest.raises(SlackApiError) as refused:
        upload_file(client, "#stock-plans", upload)
    assert refused.value.response["error"] == "channel_not_found"


def test_a_huge_plan_with_hostile_names_stays_within_the_limits() -> None:
    builder = PlanBuilder(1)
    hostile = "<!channel> & <http://evil|click> " * 40
    for index in range(400):
        snapshot = catalogue()[index % 6].model_copy(update={"sku": f"X{index}", "name": hostile})
        builder.add(snapshot, analyze(snapshot, NOW, Rules()))
    plan = builder.plan(NOW)
    blocks = build_plan_blocks(plan, NOW.tzinfo)  # type: ignore[arg-type]
    assert block_errors(blocks) == []
    assert text_length(blocks) <= MAX_TOTAL_TEXT and json_length(blocks) <= MAX_BLOCKS_JSON
    assert "<!channel>" not in json.dumps(blocks)
    assert f"and {plan.inbound.line_count - 5} more" in json.dumps(blocks)


def test_plan_reads_in_romanian_and_its_csv_opens_in_romanian_excel(romanian_bot: Bot) -> None:
    bot = romanian_bot
    store_snapshots(bot.runtime.sessions, catalogue(), "csv", NOW, bot.runtime.service.rules)
    bot.sender.command("plan")
    [message] = wait_for(
        lambda: [m for m in bot.slack.messages("C1") if "Planul de stoc" in _text(m)]
    )
    text = json.dumps(message["blocks"], ensure_ascii=False)
    assert "Livrare către FBE (MAIN -&gt; FBE)*: 84 de unități, 3 SKU-uri" in text
    assert "Marchează expediat" in text and "lei/zi" in text
    wait_for(lambda: [m for m in bot.slack.messages("C1") if m.get("files")])
    [stored] = bot.slack.files()
    rows = list(csv.reader(io.StringIO(stored["data"].decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["listă", "SKU"] and all(len(row) == 12 for row in rows)


def test_a_refused_upload_leaves_the_plan_posted_and_says_so(bot: Bot) -> None:
    bot.slack.fail_next("files.completeUploadExternal", status=503, retry_after=None, times=None)
    message = _plan_message(bot)
    [note] = wait_for(lambda: bot.slack.ephemerals("C1"))
    assert note["text"].startswith("The plan's CSV file was not attached:")
    assert [m for m in bot.slack.messages("C1") if m.get("files")] == []
    assert "Stock plan" in _text(message)


def test_the_files_comment_counts_the_lines_it_was_made_with_not_the_answers(bot: Bot) -> None:
    service, sessions = bot.runtime.service, bot.runtime.sessions
    store_snapshots(sessions, catalogue()[:3], "csv", NOW, service.rules)
    answered = plan_service.build(service, 1, 5)
    upload = plan_upload(service, answered)
    # Between the answer and its file, a write grows the plan.
    store_snapshots(sessions, catalogue(), "csv", NOW, service.rules)
    upload_file(make_web_client(bot.runtime.settings), "C1", upload)
    [stored] = bot.slack.files()
    rows = list(csv.reader(io.StringIO(stored["data"].decode("utf-8-sig"))))
    assert len(rows) - 1 > sum(plan_list.line_count for plan_list in answered.lists())
    [shared] = [m for m in bot.slack.messages("C1") if m.get("files")]
    assert shared["text"] == f"The stock plan as CSV: {len(rows) - 1} lines"
