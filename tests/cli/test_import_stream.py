"""`stockbot import` streams in batches: a bad row after the first batch was written
still imports nothing, and a SKU given twice in different batches is named with the line
that gave it first."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import csvreading
from bot.cli.main import main
from tests.cli.test_cli import dump, run


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "stream.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    assert main(["seed-demo", "--products", "5"]) == 0
    return path


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvreading, "IMPORT_ROWS", 2)


def _write(path: Path, *rows: str) -> Path:
    path.write_text("sku,account,stock,number_of_offers\n" + "".join(f"{r}\n" for r in rows))
    return path


def test_a_bad_row_after_written_batches_imports_nothing(db, capsys, tmp_path, small_batches):  # type: ignore[no-untyped-def]
    csv_file = _write(tmp_path / "late.csv", "A1,main,1,2", "A1,fbe,2,2", "B1,main,3,2", "B2,x,1,1")
    before = dump(db)
    code, _, err = run(capsys, "import", str(csv_file))
    assert code == 1 and "line 5: account must be 'main' or 'fbe'" in err
    assert dump(db) == before


def test_a_repeat_in_a_later_batch_names_the_first_line(db, capsys, tmp_path, small_batches):  # type: ignore[no-untyped-def]
    csv_file = _write(
        tmp_path / "twice.csv", "A1,main,1,2", "B1,main,3,2", "C1,fbe,1,1", "a1,MAIN,4,2"
    )
    before = dump(db)
    code, _, err = run(capsys, "import", str(csv_file))
    assert code == 1 and "line 5: a1 on main already given on line 2" in err
    assert dump(db) == before


def test_a_sku_split_over_batches_is_one_product_with_both_offers(
    db, capsys, tmp_path, small_batches
):  # type: ignore[no-untyped-def]
    csv_file = _write(tmp_path / "split.csv", "S1,main,1,2", "S2,main,3,2", "S1,fbe,7,2")
    code, out, _ = run(capsys, "import", str(csv_file))
    assert code == 0 and "imported 2 products (2 MAIN offers, 1 FBE offers)" in out
    code, out, _ = run(capsys, "analyze", "S1", "--json")
    assert '"stock_fbe": 7' in out and '"stock_main": 1' in out


def test_the_reading_begins_before_the_database_libraries_load() -> None:
    # What main() loads before the reader forks is all the child has; the database's
    # libraries are for the writing process, after the fork.
    loaded = subprocess.run(
        [sys.executable, "-c", _LOADED],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    ).stdout.split()
    assert loaded == ["bot.intake.csv_import"]


_LOADED = """
import sys
import bot.cli.main, bot.cli.csvreading
print(*[m for m in ("bot.intake.csv_import", "sqlalchemy", "psycopg", "httpx", "rich")
        if m in sys.modules])
"""


def test_a_bad_setting_after_the_reading_began_stops_the_reader(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    small_batches: None,
) -> None:
    # 2,000 batches of 2 rows: more than the reader holds ahead and the pipe holds, so
    # it waits, alive, until it is stopped.
    csv_file = _write(tmp_path / "fine.csv", *(f"A{n},main,1,2" for n in range(4000)))
    monkeypatch.setenv("DATABASE_URL", "nowhere://at-all")
    code, _, err = run(capsys, "import", str(csv_file))
    assert code == 1 and "DATABASE_URL" in err
    assert multiprocessing.active_children() == []
