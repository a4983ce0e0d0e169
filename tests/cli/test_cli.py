"""The `stockbot` command line on a real SQLite file: answers, errors and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.cli.main import main


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    assert main(["seed-demo", "--products", "60"]) == 0
    return path


def dump(path: Path) -> list:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        rows = [
            tuple(row)
            for table in ("products", "offers", "snapshot_runs", "alert_records")
            for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
        ]
    engine.dispose()
    return rows


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_readme_demo_command_on_an_empty_machine(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "EMG331" in out and "Priority: high" in out
    assert "move 10 FBE -> MAIN" in out
    assert "offer update on MAIN - Last sync 8 days ago" in out
    assert "FBE     | 26  | 16" in out and "Recommendation: Proceed" in out


def test_transfer_json_is_the_engine_shape(db, capsys):
    code, out, _ = run(capsys, "transfer", "EMG331", "fbe", "main", "10", "--json")
    assert code == 0
    answer = json.loads(out)
    assert answer["proposed_state"] == {"stock_fbe": 16, "stock_main": 10}
    assert answer["warnings"] == [] and answer["recommendation"] == "Proceed"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("transfer", "EMG331", "fbe", "main", "27"), "available 26, requested 27"),
        (("transfer", "NOPE", "fbe", "main", "1"), "not found"),
        (("transfer", "EMG331", "shop", "main", "1"), "from_account must be 'main' or 'fbe'"),
        (("transfer", "EMG331", "fbe", "main", "0"), "amount must be between 1 and 65535"),
        (("transfer", "EMG331", "fbe", "main", "-3"), "amount must be between 1 and 65535"),
        (("transfer", "EMG331", "fbe", "main", "1.5"), "amount must be a whole number"),
        (("transfer", "EMG331", "fbe", "main", "ten"), "amount must be a whole number"),
        (("analyze", "NOPE"), "not found"),
        (("alerts", "--limit", "0"), "limit must be a whole number from 1 to 500"),
    ],
)
def test_bad_input_is_one_line_exit_1_and_changes_nothing(db, capsys, argv, expected):
    before = dump(db)
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and expected in err
    assert dump(db) == before


def test_usage_error_exits_2(db, capsys):
    code, _, err = run(capsys, "transfer", "EMG331")
    assert code == 2 and err.count("\n") == 1 and "usage" in err


def test_analyze_json_has_engine_fields(db, capsys):
    code, out, _ = run(capsys, "analyze", "dnn83cybm", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["sku"] == "EMG331" and answer["priority"] == "high"
    assert answer["current_situation"]["rank_main"] is None
    assert answer["recommendations"][1]["days_since_update"] == 8


def test_alerts_summary_bulk_tables_and_json(db, capsys):
    code, out, _ = run(capsys, "alerts", "--limit", "5", "--json")
    alerts = json.loads(out)
    assert code == 0 and len(alerts["alerts"]) == 5 and alerts["total"] > 5
    code, out, _ = run(capsys, "summary")
    assert code == 0 and "products tracked" in out and "61" in out
    code, out, _ = run(capsys, "bulk", "EMG331", "MISSING", "--json")
    bulk = json.loads(out)
    assert code == 0 and [r["found"] for r in bulk["results"]] == [True, False]
    code, out, _ = run(capsys, "bulk", "EMG331", "MISSING")
    assert "1 of 2 found" in out and "not found" in out


def test_import_good_file(db, capsys, tmp_path):
    csv_file = tmp_path / "offers.csv"
    csv_file.write_text(
        "sku,account,stock,number_of_offers,last_sent_at\n"
        "EMG331,main,10,2,2026-11-24T09:00:00+00:00\n"
        "NEW1,fbe,4,3,\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "import", str(csv_file))
    assert code == 0 and "imported 2 products" in out
    code, out, _ = run(capsys, "analyze", "NEW1", "--json")
    assert json.loads(out)["current_situation"]["stock_fbe"] == 4
    code, out, _ = run(capsys, "analyze", "EMG331", "--json")
    assert json.loads(out)["current_situation"]["stock_main"] == 10


def test_import_bad_file_imports_nothing(db, capsys, tmp_path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(
        "sku,account,stock,number_of_offers\nEMG331,main,10,2\nX,warehouse,1,1\nY,main,-4,1\n",
        encoding="utf-8",
    )
    before = dump(db)
    code, _, err = run(capsys, "import", str(csv_file))
    assert code == 1 and err.count("\n") == 1
    assert "line 3" in err and "line 4" in err
    assert dump(db) == before


def test_import_missing_file(db, capsys, tmp_path):
    code, _, err = run(capsys, "import", str(tmp_path / "absent.csv"))
    assert code == 1 and "cannot read" in err


def test_bad_setting_stops_with_its_name(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("STOCKBOT_LOW_STOCK", "many")
    code, _, err = run(capsys, "summary")
    assert code == 1 and "STOCKBOT_LOW_STOCK" in err


def test_kpis_prints_every_kpi_and_refuses_a_bad_period(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.cli.main import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'kpis.db'}")
    assert main(["seed-demo", "--products", "20"]) == 0
    capsys.readouterr()
    assert main(["kpis", "--days", "7"]) == 0
    out = capsys.readouterr().out
    for label in ("zero stock with competition", "weekly-update compliance", "buy-button"):
        assert label in out
    assert main(["kpis", "--days", "0"]) == 1
    assert capsys.readouterr().err == "stockbot: error: days must be a whole number from 1 to 365\n"


def test_a_csv_update_keeps_what_the_file_does_not_say(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from bot.cli.main import main
    from bot.engine.models import OfferSnapshot, ProductSnapshot
    from bot.intake.seed import store_snapshots
    from bot.runtime import build_runtime
    from bot.settings import load_settings

    url = f"sqlite:///{tmp_path / 'csv.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    runtime = build_runtime(load_settings(DATABASE_URL=url))
    sent = datetime.now(UTC) - timedelta(days=1)
    main_offer = OfferSnapshot(
        account="main",
        offer_id=111,
        stock=1,
        number_of_offers=2,
        sale_price=Decimal("99"),
        sales_velocity=Decimal("3.5"),
        last_sent_at=sent,
    )
    store_snapshots(
        runtime.sessions,
        [ProductSnapshot(sku="EMG1", main=main_offer)],
        "sync",
        sent,
        runtime.service.rules,
    )
    csv_file = tmp_path / "offers.csv"
    csv_file.write_text(
        "\ufeffSKU,ACCOUNT,STOCK,NUMBER_OF_OFFERS\nEMG1,MAIN,9,2\n", encoding="utf-8"
    )

    assert main(["import", str(csv_file)]) == 0

    stored = runtime.service.snapshot("EMG1").main
    assert stored is not None
    assert stored.stock == 9
    assert (stored.offer_id, stored.sales_velocity, stored.sale_price) == (
        111,
        Decimal("3.5000"),
        Decimal("99.0000"),
    )
    assert stored.last_sent_at == sent.replace(microsecond=sent.microsecond)
    runtime.engine.dispose()


def test_the_demo_keeps_its_own_file_and_an_import_survives_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    (tmp_path / "mine.csv").write_text("sku,account,stock,number_of_offers\nMINE1,main,3,2\n")

    def stockbot(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", *argv],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
        )  # fmt: skip

    assert stockbot("import", "mine.csv").returncode == 0
    # The command closed its database before the exit (which skips the collector's last
    # pass): SQLite's last close checkpointed and removed the write-ahead log.
    assert (tmp_path / "stockbot.db").exists() and not (tmp_path / "stockbot.db-wal").exists()
    demo = stockbot("demo", "--products", "5")
    assert demo.returncode == 0 and "stockbot-demo.db" in demo.stdout
    assert (tmp_path / "stockbot-demo.db").exists()
    mine = stockbot("analyze", "MINE1")
    assert mine.returncode == 0 and "MINE1" in mine.stdout
    assert stockbot("analyze", "EMG331").returncode == 1  # the demo is not in the real file

    # Pointed at the real file on purpose, the demo asks first (and cannot, here).
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'stockbot.db'}"
    refused = stockbot("seed-demo", "--products", "5")
    assert refused.returncode == 1 and "holds csv data" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert stockbot("seed-demo", "--products", "5", "--yes").returncode == 0


def test_an_empty_catalogue_says_how_to_fill_it(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code, out, _ = run(capsys, "summary")
    assert code == 0 and "catalogue is empty" in out and "stockbot import" in out
    assert "100" not in out  # compliance of nothing is no percentage
    code, out, _ = run(capsys, "summary", "--json")
    assert json.loads(out)["weekly_update_compliance_pct"] is None
