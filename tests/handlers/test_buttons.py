"""Buttons and modals over real HTTP: change amount, mark transferred, snooze, App Home,
and Validate transfer inside a digest message."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.jobs.digest import run_digest
from bot.slack_client import make_web_client
from bot.slack_standin.limits import VIEW_MAX_BLOCKS, block_errors
from storage.models import Snooze, TransferRecord
from tests.fake_emag import FakeEmag
from tests.handlers.conftest import ADMIN, Bot, wait_for
from tests.handlers.test_slash_commands import _buttons, _text

PROPOSAL = json.dumps({"sku": "EMG331", "from_account": "fbe", "to_account": "main", "amount": 10})


def _transfer_message(bot: Bot, user: str = "U1") -> dict:
    bot.sender.command("transfer EMG331 fbe main 10", user=user)
    [message] = wait_for(lambda: bot.slack.messages("C1"))
    return message


def _records(bot: Bot) -> list[TransferRecord]:
    with bot.runtime.sessions() as session:
        return list(session.scalars(select(TransferRecord)))


def _modals_saying(bot: Bot, text: str) -> list[dict]:
    return [view for view in bot.slack.views() if text in json.dumps(view)]


def test_change_amount_opens_a_modal_and_a_bad_amount_is_a_field_error(bot: Bot) -> None:
    bot.sender.click(None, "change_amount", "rec:0", PROPOSAL)
    [view] = wait_for(lambda: bot.slack.views())
    assert view["callback_id"] == "transfer_amount"
    amount = view["blocks"][1]
    assert amount["element"]["initial_value"] == "10"

    def submit(value: str) -> dict:
        values = {"amount": {"amount_input": {"type": "number_input", "value": value}}}
        response = bot.sender.submit_view(view, values)
        assert response.status_code == 200
        return response.json() if response.content else {}

    for bad, says in [
        ("0", "amount"),
        ("1.5", "amount"),
        ("ten", "amount"),
        ("27", "available 26, requested 27"),
    ]:
        answer = submit(bad)
        assert answer["response_action"] == "errors"
        assert says in answer["errors"]["amount"]
    answer = submit("5")
    assert answer["response_action"] == "update"
    assert "Proposed: FBE 21 / MAIN 5" in json.dumps(answer["view"])
    assert block_errors(answer["view"]["blocks"], VIEW_MAX_BLOCKS) == []


def test_change_amount_ends_on_the_check_with_a_mark_transferred_button(bot: Bot) -> None:
    bot.sender.click(None, "change_amount", "rec:0", PROPOSAL)
    [view] = wait_for(lambda: bot.slack.views())
    values = {"amount": {"amount_input": {"type": "number_input", "value": "5"}}}
    answer = bot.sender.submit_view(view, values).json()
    assert bot.slack.apply_view_answer(view["id"], answer) == {"ok": True}
    [checked] = bot.slack.open_views()
    [actions] = [b for b in checked["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions["elements"]] == ["mark_transferred"]

    mark = actions["elements"][0]
    bot.sender.click(None, "mark_transferred", actions["block_id"], mark["value"], view=checked)
    wait_for(lambda: "marked done" in json.dumps(bot.slack.open_views()))
    [record] = _records(bot)
    assert (record.amount, record.to_account, record.status) == (5, "main", "in_transit")
    analysis = bot.runtime.service.analyze("EMG331")
    assert analysis.current_situation.in_transit_main == 5


def test_mark_transferred_records_who_when_how_much_once(bot: Bot) -> None:
    message = _transfer_message(bot)
    [mark] = [b for b in _buttons(message) if b["action_id"] == "mark_transferred"]
    assert mark["confirm"]["confirm"]["text"] == "Record it"
    bot.sender.click(message, "mark_transferred", mark["block_id"], mark["value"])
    wait_for(lambda: "marked done" in _text(bot.slack.messages("C1")[0]))
    [record] = _records(bot)
    assert (record.from_account, record.to_account, record.amount) == ("fbe", "main", 10)
    assert (record.recorded_by, record.recorded_at) == ("U1", bot.clock.now)

    bot.sender.click(message, "mark_transferred", mark["block_id"], mark["value"], user="U2")
    [note] = wait_for(lambda: bot.slack.ephemerals("C1"))
    assert note["text"].startswith("Already recorded by <@U1>")
    assert len(_records(bot)) == 1


def test_mark_transferred_is_refused_to_non_admins(admin_bot: Bot) -> None:
    message = _transfer_message(admin_bot)
    [mark] = [b for b in _buttons(message) if b["action_id"] == "mark_transferred"]
    admin_bot.sender.click(message, "mark_transferred", mark["block_id"], mark["value"])
    [note] = wait_for(lambda: admin_bot.slack.ephemerals("C1"))
    assert "only stockbot admins may mark transfers as done" in note["text"]
    assert _records(admin_bot) == []
    assert admin_bot.slack.messages("C1") == [message]

    admin_bot.sender.click(message, "mark_transferred", mark["block_id"], mark["value"], ADMIN)
    wait_for(lambda: _records(admin_bot))
    assert _records(admin_bot)[0].recorded_by == ADMIN


def test_snooze_button_snoozes_for_three_days(bot: Bot) -> None:
    bot.sender.command("analyze EMG331")
    [message] = wait_for(lambda: bot.slack.messages("C1"))
    [snooze] = [b for b in _buttons(message) if b["action_id"] == "snooze"]
    bot.sender.click(message, "snooze", snooze["block_id"], snooze["value"])
    [note] = wait_for(lambda: bot.slack.ephemerals("C1"))
    assert note["text"] == "EMG331 snoozed until 28 Nov 11:07 by <@U1>."
    with bot.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Snooze)) == 1


def test_app_home_shows_summary_and_alerts_and_validates_in_a_modal(bot: Bot) -> None:
    assert bot.sender.event({"type": "app_home_opened", "user": "U7", "tab": "home"}).is_success
    home = wait_for(lambda: bot.slack.home("U7"))
    assert block_errors(home["blocks"], VIEW_MAX_BLOCKS) == []
    text = json.dumps(home)
    assert "Products tracked" in text and "Top alerts" in text and "Data as of" in text
    [button] = [b for b in _buttons(home) if "EMG331" in b["value"]][:1]
    bot.sender.click(None, button["action_id"], button["block_id"], button["value"], view=home)
    # One modal, opened at once ("working") and then filled with the validation.
    [modal] = wait_for(lambda: _modals_saying(bot, "Proposed: FBE 16 / MAIN 10"))
    assert len(bot.slack.views()) == 1 and modal["title"]["text"] == "Transfer check"


def test_validate_in_a_digest_message_updates_that_alert_in_place(bot: Bot) -> None:
    runtime = bot.runtime
    outcome = run_digest(runtime, make_web_client(runtime.settings), bot.clock.now)
    assert outcome.status == "sent"
    messages = bot.slack.messages("CDIGEST")
    message = next(m for m in messages if "EMG331" in _text(m))
    [button] = [
        b
        for b in _buttons(message)
        if b["action_id"] == "validate_transfer" and "EMG331" in b["value"]
    ]
    assert button["block_id"].startswith("alert:")
    bot.sender.click(
        message, "validate_transfer", button["block_id"], button["value"], channel="CDIGEST"
    )
    updated = wait_for(
        lambda: [m for m in bot.slack.messages("CDIGEST") if "Validated by" in _text(m)]
    )[0]
    assert updated["ts"] == message["ts"]
    assert "Proposed: FBE 16 / MAIN 10" in _text(updated)
    assert block_errors(updated["blocks"]) == []
    others = [b for b in _buttons(updated) if b["action_id"] == "validate_transfer"]
    assert (
        len(others)
        == len([b for b in _buttons(message) if b["action_id"] == "validate_transfer"]) - 1
    )


EMG331_MAIN_OFFER = 243409
CAMPAIGN = {
    "message": "Validation errors in your request",
    "errors": [{"field": "stock", "message": "active campaign: stock has NOT been changed."}],
}


def test_an_admin_marking_a_transfer_to_main_sets_main_stock_on_emag(
    emag_admin_bot: Bot, fake_emag: FakeEmag
) -> None:
    bot = emag_admin_bot
    message = _transfer_message(bot, user=ADMIN)
    # Since the snapshot was read, MAIN got 3 units on eMAG: the write adds to those.
    fake_emag.set_stock("main", EMG331_MAIN_OFFER, 3)
    [mark] = [b for b in _buttons(message) if b["action_id"] == "mark_transferred"]
    bot.sender.click(message, "mark_transferred", mark["block_id"], mark["value"], ADMIN)
    updated = wait_for(lambda: [m for m in bot.slack.messages("C1") if "marked done" in _text(m)])
    assert "MAIN stock set to 13 on eMAG (was 3)" in _text(updated[0])
    assert fake_emag.offer("main", EMG331_MAIN_OFFER)["general_stock"] == 13
    [patch] = fake_emag.requests("main", f"offer_stock/{EMG331_MAIN_OFFER}")
    assert patch.body == {"stock": 13}
    assert fake_emag.requests("fbe") == []
    [record] = _records(bot)
    assert record.main_stock_written is True


def test_a_refused_main_stock_write_is_said_and_not_marked_written(
    emag_admin_bot: Bot, fake_emag: FakeEmag
) -> None:
    bot = emag_admin_bot
    fake_emag.fail("main", 400, path=f"offer_stock/{EMG331_MAIN_OFFER}", body=CAMPAIGN)
    message = _transfer_message(bot, user=ADMIN)
    [mark] = [b for b in _buttons(message) if b["action_id"] == "mark_transferred"]
    bot.sender.click(message, "mark_transferred", mark["block_id"], mark["value"], ADMIN)
    updated = wait_for(lambda: [m for m in bot.slack.messages("C1") if "marked done" in _text(m)])
    assert "MAIN stock not written" in _text(updated[0])
    assert "active campaign" in _text(updated[0])
    assert fake_emag.offer("main", EMG331_MAIN_OFFER)["general_stock"] == 0
    [record] = _records(bot)
    assert record.main_stock_written is False


def test_snooze_from_app_home_answers_in_a_modal(bot: Bot) -> None:
    bot.sender.event({"type": "app_home_opened", "user": "U7", "tab": "home"})
    home = wait_for(lambda: bot.slack.home("U7"))
    snoozes = [b for b in _buttons(home) if b["action_id"] == "snooze"]
    assert snoozes, "App Home shows alerts whose fix is not a transfer with a Snooze button"
    button = snoozes[0]
    sku = json.loads(button["value"])["sku"]
    bot.sender.click(None, "snooze", button["block_id"], button["value"], user="U7", view=home)
    wait_for(lambda: _modals_saying(bot, f"{sku} snoozed until"))
    assert len(bot.slack.views()) == 1
    with bot.runtime.sessions() as session:
        [snooze] = session.scalars(select(Snooze)).all()
    assert snooze.created_by == "U7"
