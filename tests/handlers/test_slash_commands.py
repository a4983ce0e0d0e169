"""/stock over real HTTP: signed requests to the served app, answers at the stand-in."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from bot.intake.seed import store_snapshots
from bot.slack_standin.limits import block_errors
from storage.models import ActionClaim, Snooze, TransferRecord
from tests.conftest import NOW
from tests.factories import offer, product
from tests.handlers.conftest import ADMIN, SECRET, Bot, wait_for


def _written(bot: Bot) -> tuple[int, int, int]:
    with bot.runtime.sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Snooze, TransferRecord, ActionClaim)
        )  # type: ignore[return-value]


def _buttons(message: dict) -> list[dict]:
    found = []
    for block in message["blocks"]:
        elements = block.get("elements", []) if block["type"] == "actions" else []
        if "accessory" in block:
            elements = [block["accessory"]]
        found += [{**e, "block_id": block.get("block_id")} for e in elements]
    return found


def _text(message: dict) -> str:
    return json.dumps(message["blocks"])


def test_analyze_acks_at_once_and_posts_the_analysis_in_channel(bot: Bot) -> None:
    response = bot.sender.command("analyze EMG331")
    assert response.status_code == 200
    [message] = wait_for(lambda: bot.slack.messages("C1"))
    assert block_errors(message["blocks"]) == []
    assert "Priority: HIGH" in _text(message)
    validate = [b for b in _buttons(message) if b["action_id"] == "validate_transfer"]
    assert len(validate) == 1
    assert json.loads(validate[0]["value"]) == {
        "sku": "EMG331",
        "from_account": "fbe",
        "to_account": "main",
        "amount": 10,
    }
    assert not bot.slack.ephemerals()


def test_validate_button_replaces_itself_with_the_validation_once(bot: Bot) -> None:
    bot.sender.command("analyze EMG331")
    [message] = wait_for(lambda: bot.slack.messages("C1"))
    [button] = [b for b in _buttons(message) if b["action_id"] == "validate_transfer"]

    click = bot.sender.click(message, "validate_transfer", button["block_id"], button["value"])
    assert click.status_code == 200
    updated = wait_for(lambda: [m for m in bot.slack.messages("C1") if "Validated by" in _text(m)])[
        0
    ]
    text = _text(updated)
    assert "Proposed: FBE 16 / MAIN 10" in text
    assert "Recommendation: Proceed" in text
    assert "Validated by <@U1> at 11:07" in text  # 09:07 UTC in Bucharest
    assert all(b["action_id"] != "validate_transfer" for b in _buttons(updated))
    assert block_errors(updated["blocks"]) == []

    # The same click delivered again (or a second person on a stale screen): no change.
    bot.sender.click(message, "validate_transfer", button["block_id"], button["value"], user="U2")
    [note] = wait_for(lambda: bot.slack.ephemerals("C1"))
    assert note["user"] == "U2"
    assert note["text"].startswith("Already validated by <@U1>")
    assert bot.slack.messages("C1") == [updated]


def test_validation_rereads_the_snapshot_not_the_button(bot: Bot) -> None:
    bot.sender.command("analyze EMG331")
    [message] = wait_for(lambda: bot.slack.messages("C1"))
    [button] = [b for b in _buttons(message) if b["action_id"] == "validate_transfer"]
    tampered = json.dumps({**json.loads(button["value"]), "amount": 27})
    bot.sender.click(message, "validate_transfer", button["block_id"], tampered)
    updated = wait_for(lambda: [m for m in bot.slack.messages("C1") if "Checked by" in _text(m)])[0]
    assert "available 26, requested 27" in _text(updated)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("analyze", "`analyze` takes 1 argument, got 0. Use `/stock analyze SKU`."),
        ("analyze EMG999", "SKU 'EMG999' not found"),
        ("transfer EMG331 fbe shop 10", "to_account"),
        ("transfer EMG331 fbe main 0", "amount"),
        ("transfer EMG331 fbe main -3", "amount"),
        ("transfer EMG331 fbe main 1.5", "amount"),
        ("transfer EMG331 fbe main ten", "amount"),
        ("transfer EMG331 fbe main 27", "available 26, requested 27"),
        ("transfer EMG331 fbe main", "`transfer` takes 4 arguments, got 3"),
        ("alerts 0", "N must be a whole number from 1 to 50"),
        ("alerts 51", "N must be a whole number from 1 to 50"),
        ("alerts ²", "N must be a whole number from 1 to 50"),
        ("transfer EMG331 fbe main +-5", "amount must be a whole number"),
        ("bulk " + " ".join(f"S{i}" for i in range(101)), "at most 100 SKUs, got 101"),
        ("snooze EMG331 forever", "is not a duration"),
        ("snooze EMG331 400d", "at most 90 days"),
        ("frobnicate EMG331", "Unknown subcommand `frobnicate`"),
    ],
)
def test_bad_input_gets_one_ephemeral_line_and_writes_nothing(
    bot: Bot, text: str, expected: str
) -> None:
    before = _written(bot)
    assert bot.sender.command(text).status_code == 200
    [note] = wait_for(lambda: bot.slack.ephemerals("C1"))
    assert expected in note["text"]
    assert "\n" not in note["text"]
    assert note["user"] == "U1"
    assert bot.slack.messages("C1") == []
    assert _written(bot) == before


def test_help_is_ephemeral_and_lists_every_subcommand(bot: Bot) -> None:
    bot.sender.command("help")
    [note] = wait_for(lambda: bot.slack.ephemerals("C1"))
    for sub in ("analyze", "alerts", "summary", "transfer", "bulk", "snooze", "unsnooze"):
        assert f"/stock {sub}" in note["text"]
    assert bot.slack.messages("C1") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alerts 50", "Stock alerts"),
        ("summary", "Products tracked"),
        ("summary", "KPIs, last 30 days"),
        ("transfer emg331 FBE Main 10", "Proposed: FBE 16 / MAIN 10"),
        ("bulk EMG331 NOPE", "1 of 2 found"),
    ],
)
def test_read_commands_post_within_block_kit_limits(bot: Bot, text: str, expected: str) -> None:
    bot.sender.command(text)
    [message] = wait_for(lambda: bot.slack.messages("C1"))
    assert expected in _text(message)
    assert block_errors(message["blocks"]) == []


def test_snooze_and_unsnooze_write_the_snooze_row(bot: Bot) -> None:
    bot.sender.command("snooze emg331 2d")
    [note] = wait_for(lambda: bot.slack.ephemerals("C1"))
    assert note["text"].startswith("EMG331 is snoozed until 27 Nov 2026 11:07")
    with bot.runtime.sessions() as session:
        [snooze] = session.scalars(select(Snooze)).all()
    assert (snooze.until - bot.clock.now).days == 2
    assert (snooze.priority_at_snooze, snooze.created_by) == ("high", "U1")

    bot.sender.command("unsnooze EMG331")
    wait_for(lambda: len(bot.slack.ephemerals("C1")) == 2)
    assert bot.slack.ephemerals("C1")[1]["text"] == "EMG331 is back in the digests."
    assert _written(bot)[0] == 0


def test_snooze_is_refused_to_non_admins_when_admins_are_set(admin_bot: Bot) -> None:
    admin_bot.sender.command("snooze EMG331 3d", user="UOTHER")
    [note] = wait_for(lambda: admin_bot.slack.ephemerals("C1"))
    assert note["text"].startswith("Not allowed: only stockbot admins may snooze alerts")
    assert _written(admin_bot) == (0, 0, 0)
    admin_bot.sender.command("snooze EMG331 3d", user=ADMIN)
    wait_for(lambda: len(admin_bot.slack.ephemerals("C1")) == 2)
    assert _written(admin_bot)[0] == 1


@pytest.mark.parametrize(
    "tamper",
    [
        {"secret": "not-the-secret"},
        {"timestamp": int(time.time()) - 6 * 60},
    ],
    ids=["wrong-signature", "timestamp-older-than-5-minutes"],
)
def test_unsigned_or_replayed_requests_get_401_and_do_nothing(bot: Bot, tamper: dict) -> None:
    response = bot.sender.command("snooze EMG331 3d", **tamper)
    assert response.status_code == 401
    time.sleep(0.3)  # give a wrongly accepted request the time to answer
    assert bot.slack.requests("response_url") == []
    assert _written(bot) == (0, 0, 0)


def test_signing_secret_is_never_in_what_slack_receives(bot: Bot) -> None:
    bot.sender.command("analyze EMG331")
    wait_for(lambda: bot.slack.messages("C1"))
    assert SECRET not in json.dumps(bot.slack.requests())


def test_outside_the_allowed_channels_stock_says_so_and_does_nothing(channel_bot: Bot) -> None:
    channel_bot.sender.command("analyze EMG331", channel="CRANDOM")
    [note] = wait_for(lambda: channel_bot.slack.ephemerals("CRANDOM"))
    assert note["text"].startswith("stockbot answers only in its channels")
    assert channel_bot.slack.messages("CRANDOM") == []
    channel_bot.sender.command("analyze EMG331", channel="COPS")
    [message] = wait_for(lambda: channel_bot.slack.messages("COPS"))
    assert "Priority: HIGH" in _text(message)


def test_a_sku_with_ampersand_and_angle_brackets_is_found_through_slacks_escaping(
    bot: Bot,
) -> None:
    odd = product(main=offer("main", 0), fbe=offer("fbe", 30), sku="A&B<1>")
    store_snapshots(bot.runtime.sessions, [odd], "csv", NOW, bot.runtime.service.rules)
    bot.sender.command("analyze a&b<1>")  # sent as "analyze a&amp;b&lt;1&gt;"
    [message] = wait_for(lambda: bot.slack.messages("C1"))
    assert "A&amp;B&lt;1&gt;" in _text(message)  # found, and escaped again for display
    assert not bot.slack.ephemerals("C1")


def test_alerts_of_one_category_through_slack(bot: Bot) -> None:
    store_snapshots(
        bot.runtime.sessions,
        [
            product(offer("main", 0, 3), offer("fbe", 30, 3), sku="PHONE1").model_copy(
                update={"category": "Telefoane mobile"}
            )
        ],
        "csv",
        bot.clock.now,
        bot.runtime.service.rules,
    )
    bot.sender.command("alerts 5 category:telefoane mobile")
    [message] = wait_for(lambda: bot.slack.messages("C1"))
    text = _text(message)
    assert "PHONE1" in text and "EMG331" not in text
    assert "1 need attention" in text
    bot.sender.command("alerts category:Tablete")
    [note] = wait_for(lambda: bot.slack.ephemerals("C1"))
    assert "no product is in category 'Tablete'" in note["text"]


def test_analyze_in_romanian_reads_lei_comma_decimals_and_bucharest_time(
    romanian_bot: Bot,
) -> None:
    romanian_bot.sender.command("analyze EMG331")
    [message] = wait_for(lambda: romanian_bot.slack.messages("C1"))
    assert block_errors(message["blocks"]) == []
    text = json.dumps(message["blocks"], ensure_ascii=False)
    assert "Analiză stoc: EMG331" in text and "Prioritate: RIDICATĂ" in text
    assert "69,30 lei/zi" in text and "RON" not in text
    assert "(Europe/Bucharest)" in text and "Recomandări" in text
    assert "MAIN are stoc 0 cu concurență - pierde butonul de cumpărare" in text
    assert "Priority" not in text and "Validate transfer" not in text
    [validate] = [b for b in _buttons(message) if b["action_id"] == "validate_transfer"]
    assert validate["text"]["text"] == "Validează transferul"
    # What the button carries is data, the same in every language.
    assert json.loads(validate["value"])["amount"] == 10
    romanian_bot.sender.click(message, "validate_transfer", validate["block_id"], validate["value"])
    edited = wait_for(
        lambda: [m for m in romanian_bot.slack.messages("C1") if "Validat de" in _text(m)]
    )
    text = json.dumps(edited[0]["blocks"], ensure_ascii=False)
    assert "Verificare transfer: EMG331" in text and "Recomandare: Continuați" in text
    assert "Propus: FBE 16 / MAIN 10" in text
