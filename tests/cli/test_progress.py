"""Progress bars: drawn on a terminal, silent in a pipe or with --quiet."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from bot.cli.account_bars import RATE_WAIT, STORING, account_bars, pages
from bot.cli.main import main
from bot.cli.progress import progress


def _terminal(buffer: io.StringIO) -> Console:
    return Console(file=buffer, force_terminal=True, width=80)


def _plain(buffer: io.StringIO) -> str:
    """What was drawn, without colours and cursor moves."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue())


def test_a_terminal_sees_the_bar_with_its_counts() -> None:
    buffer = io.StringIO()
    with progress("seeding", 10, console=_terminal(buffer)) as advance:
        advance(4)
        advance(6)
    assert "seeding" in buffer.getvalue() and "10/10" in buffer.getvalue()


def test_quiet_or_a_pipe_sees_nothing() -> None:
    quiet, pipe = io.StringIO(), io.StringIO()
    with progress("seeding", 10, quiet=True, console=_terminal(quiet)) as advance:
        advance(10)
    with progress("seeding", 10, console=Console(file=pipe)) as advance:
        advance(10)
    assert quiet.getvalue() == "" and pipe.getvalue() == ""


def test_an_account_bar_says_a_long_rate_wait_and_not_the_pace_of_each_call() -> None:
    short, long = io.StringIO(), io.StringIO()
    for buffer, seconds in ((short, 0.3), (long, 42.0)):
        with account_bars(["main", "fbe"], pages, console=_terminal(buffer)) as bars:
            assert bars is not None
            bars.counted("main", 250)
            bars.stepped("main", 100)
            bars.waiting("main", seconds)
    assert "MAIN" in short.getvalue() and "FBE" in short.getvalue()
    assert "100/250 offers, 1 page" in _plain(short) and RATE_WAIT not in _plain(short)
    assert re.search(f"100/250 offers, 1 page +{RATE_WAIT}", _plain(long))


def test_an_account_bar_says_when_the_read_is_being_stored() -> None:
    buffer = io.StringIO()
    with account_bars(["main"], pages, console=_terminal(buffer)) as bars:
        assert bars is not None
        bars.counted("main", 100)
        bars.stepped("main", 100)
        bars.storing("main")
    assert re.search(f"100/100 offers, 1 page +{STORING}", _plain(buffer))


def test_account_bars_are_none_in_a_pipe_or_quiet() -> None:
    pipe = io.StringIO()
    with account_bars(["main"], pages, console=Console(file=pipe)) as bars:
        assert bars is None
    with account_bars(["main"], pages, quiet=True, console=_terminal(pipe)) as bars:
        assert bars is None
    assert pipe.getvalue() == ""


def test_seed_demo_in_batches_writes_every_product_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'seed.db'}")
    assert main(["seed-demo", "--products", "5200", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "seeded 5201 products" in out and err == ""
    assert main(["summary", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["products_tracked"] == 5201
