"""Progress bars: drawn on a terminal, silent in a pipe or with --quiet."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from bot.cli.main import main
from bot.cli.progress import progress


def _terminal(buffer: io.StringIO) -> Console:
    return Console(file=buffer, force_terminal=True, width=80)


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


def test_seed_demo_in_batches_writes_every_product_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'seed.db'}")
    assert main(["seed-demo", "--products", "5200", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "seeded 5201 products" in out and err == ""
    assert main(["summary", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["products_tracked"] == 5201
