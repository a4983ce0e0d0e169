"""Categories through the real `stockbot` command: rules per category from a TOML file,
views per category, and what following a recommendation earned, per category."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main

SENT = (datetime.now(UTC) - timedelta(days=1)).isoformat()
CSV = (
    "sku,account,stock,number_of_offers,sale_price,last_sent_at,category,sales_30d\n"
    f"PH1,main,7,3,900.00,{SENT},Telefoane,\n"
    f"PH1,fbe,40,3,900.00,{SENT},Telefoane,\n"
    f"CS1,main,7,3,30.00,{SENT},Huse,\n"
    f"CS1,fbe,40,3,30.00,{SENT},Huse,\n"
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'categories.db'}")
    (tmp_path / "offers.csv").write_text(CSV)
    (tmp_path / "rules.toml").write_text('[category."Telefoane"]\nlow_stock = 10\n')
    assert main(["import", str(tmp_path / "offers.csv")]) == 0
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _analysis(capsys, sku: str) -> dict:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "analyze", sku, "--json")
    assert code == 0
    return json.loads(out)


def test_a_category_rule_changes_the_answer_and_the_file_is_read_at_start(
    folder: Path,
    capsys,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("STOCKBOT_RULES", str(folder / "rules.toml"))
    phone, case = _analysis(capsys, "PH1"), _analysis(capsys, "CS1")
    assert phone["priority"] == "medium"
    assert [r["type"] for r in phone["recommendations"]][:2] == ["stock_transfer", "stock_alert"]
    assert phone["rules_applied"] == {"low_stock": 10}
    assert "rules of Telefoane: low_stock 10" in phone["notes"]
    assert (case["priority"], case["recommendations"], case["rules_applied"]) == ("normal", [], {})

    (folder / "rules.toml").write_text('[category."Huse"]\nlow_stock = 8\n')
    assert _analysis(capsys, "PH1")["priority"] == "normal"
    assert _analysis(capsys, "CS1")["priority"] == "medium"
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "Huse: " in out and "low_stock 8" in out


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[category."Telefoane"]\nlow_stok = 10\n', "line 2: unknown key 'low_stok'"),
        ('[category."Telefoane"]\ncover_days = 0\n', "line 2: cover_days must be a whole"),
        ('[category."Telefone"]\nlow_stock = 10\n', "line 1: no product is in category"),
        ("[telefoane]\nlow_stock = 10\n", "line 1: 'telefoane' is not a category table"),
    ],
)
def test_a_wrong_rules_file_is_one_line_naming_file_line_and_key_exit_2(
    folder: Path,
    capsys,
    monkeypatch,
    text: str,
    says: str,  # type: ignore[no-untyped-def]
) -> None:
    (folder / "bad.toml").write_text(text)
    monkeypatch.setenv("STOCKBOT_RULES", str(folder / "bad.toml"))
    code, out, err = run(capsys, "alerts")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "bad.toml" in err and says in err


def test_alerts_of_a_category_list_and_count_that_category_alone(
    folder: Path,
    capsys,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("STOCKBOT_RULES", str(folder / "rules.toml"))
    code, out, _ = run(capsys, "alerts", "--category", "telefoane", "--json")
    report = json.loads(out)
    assert code == 0 and [entry["sku"] for entry in report["alerts"]] == ["PH1"]
    assert report["counts"] == {"high": 0, "medium": 1, "low": 0}
    code, out, _ = run(capsys, "alerts", "--category", "Huse", "--json")
    assert json.loads(out)["alerts"] == [] and json.loads(out)["total"] == 0
    code, _, err = run(capsys, "alerts", "--category", "Tablete")
    assert code == 1 and "no product is in category 'Tablete'" in err
    code, out, _ = run(capsys, "summary", "--by-category", "--json")
    by_name = {item["category"]: item for item in json.loads(out)}
    assert (by_name["Telefoane"]["medium"], by_name["Huse"]["medium"]) == (1, 0)
    code, out, _ = run(capsys, "bulk", "--category", "huse", "--json")
    [page] = json.loads(out)
    assert [item["sku"] for item in page["results"]] == ["CS1"]


def test_what_a_followed_transfer_earned_shows_in_the_kpis_of_its_category(
    folder: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    sold = CSV.replace("category,sales_30d", "category,sales_30d").replace(
        "PH1,main,7,3,900.00", "PH1,main,0,3,900.00"
    )
    sold = sold.replace(f"{SENT},Telefoane,\n", f"{SENT},Telefoane,30\n")
    (folder / "sold.csv").write_text(sold)
    assert main(["import", str(folder / "sold.csv")]) == 0
    # MAIN at 0 with competition, 1 a day at 900 lei: 900 lei a day lost.
    assert _analysis(capsys, "PH1")["current_situation"]["lost_sales_per_day_main"] == 900.0
    assert run(capsys, "mark-transferred", "PH1", "fbe", "main", "14")[0] == 0
    arrived = sold.replace("PH1,main,0,3,900.00", "PH1,main,14,3,900.00").replace(
        "PH1,fbe,40,3", "PH1,fbe,26,3"
    )
    (folder / "arrived.csv").write_text(arrived)
    assert main(["import", str(folder / "arrived.csv")]) == 0

    code, out, _ = run(capsys, "kpis", "--json")
    earned = json.loads(out)["earnings"]
    assert code == 0
    assert earned["by_category"]["Telefoane"]["transfers_arrived"] == 1
    assert float(earned["by_category"]["Telefoane"]["recovered_per_day"]) == 900.0
    assert float(earned["total"]["recovered_per_day"]) == 900.0
    code, out, _ = run(capsys, "kpis")
    assert "Telefoane: RON 900.00/day recovered by 1 transfers" in out
