"""The eMAG subcommands through the real `stockbot` entry point (bot.cli.main), with the
settings in the environment as a deployment has them."""

from __future__ import annotations

import pytest

from bot.cli.main import main
from tests.fake_emag import FakeEmag


def run(*argv: str) -> int:
    return main(list(argv))


def test_sync_then_push_stock_then_resend(
    fake: FakeEmag, env: None, capsys: pytest.CaptureFixture[str]
):
    fake.populate(40)

    assert run("sync") == 0
    out = capsys.readouterr().out
    assert "MAIN: 40 offers read in 1 pages" in out and "FBE: 40 offers" in out

    assert run("push-stock", "EMG331", "12", "--yes") == 0
    assert "MAIN stock of EMG331 set to 12 on eMAG (offer 243409, was 0)" in capsys.readouterr().out
    assert fake.offer("main", 243409)["general_stock"] == 12

    assert run("resend-offers", "--stale", "--yes", "--account", "fbe") == 0
    assert "FBE: 40 sent, 0 refused (1 batch)" in capsys.readouterr().out

    assert run("pnk-check") == 0
    assert capsys.readouterr().out.strip() == "no PNK issues"


def test_resend_with_one_offer_refused_of_a_batch_of_50_exits_non_zero_naming_it(
    fake: FakeEmag, env: None, capsys: pytest.CaptureFixture[str]
):
    fake.populate(50)
    assert run("sync") == 0
    fake.refuse_save("main", 243409, "The offer takes part in a campaign")
    capsys.readouterr()

    assert run("resend-offers", "--all", "--yes", "--account", "main") == 1
    captured = capsys.readouterr()
    assert "MAIN: 49 sent, 1 refused (1 batch)" in captured.out
    assert "EMG331 (offer 243409): The offer takes part in a campaign" in captured.out
    assert "re-send incomplete: MAIN: 1 offer refused" in captured.err


def test_bad_credentials_give_one_error_naming_the_account(
    fake: FakeEmag, env: None, capsys: pytest.CaptureFixture[str]
):
    fake.populate(5)
    user, password = fake.credentials("main")
    fake.set_credentials("main", "someone-else", "other-pass")

    assert run("sync") == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("stockbot: error: MAIN: eMAG refused the credentials")
    assert captured.err.count("\n") == 1
    assert "FBE" not in captured.err
    assert user not in captured.err + captured.out
    assert password not in captured.err + captured.out
    assert "MAIN: FAILED, previous snapshot kept" in captured.out


def test_push_stock_on_fbe_is_refused_before_anything_is_sent(
    fake: FakeEmag, env: None, capsys: pytest.CaptureFixture[str]
):
    assert run("push-stock", "EMG331", "3", "--account", "fbe", "--yes") == 1
    assert "FBE: eMAG manages the stock" in capsys.readouterr().err
    assert fake.requests() == []


def test_write_commands_want_a_confirmation_when_not_interactive(
    fake: FakeEmag, env: None, capsys: pytest.CaptureFixture[str]
):
    assert run("push-stock", "EMG331", "3") == 1
    assert "add --yes" in capsys.readouterr().err
    assert fake.requests() == []


def test_missing_credentials_name_the_variables(
    env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.delenv("EMAG_MAIN_USERNAME")
    assert run("sync") == 1
    assert "EMAG_MAIN_USERNAME" in capsys.readouterr().err
