"""The golden EMG331 output: `stockbot analyze EMG331`, as text and as JSON, exactly as
checked in (times masked). A change to either is a change a seller sees: update the
golden files on purpose, in the same commit that changes the output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.main import main

GOLDEN = Path(__file__).parent / "golden"
TEXT_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} (?:[A-Z]{2,5}|[+-]\d{2})")
JSON_TIME = re.compile(r'"\d{4}-\d{2}-\d{2}T[0-9:.]+Z"')


@pytest.fixture
def emg331_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'golden.db'}")
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["seed-demo", "--products", "0"]) == 0


def _output(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_emg331_text_is_the_golden_one(emg331_only: None, capsys) -> None:  # type: ignore[no-untyped-def]
    text = TEXT_TIME.sub("<TIME>", _output(capsys, "analyze", "EMG331"))
    assert text == (GOLDEN / "emg331.txt").read_text()
    assert max(len(line) for line in text.splitlines()) <= 80


def test_emg331_json_is_the_golden_one(emg331_only: None, capsys) -> None:  # type: ignore[no-untyped-def]
    text = JSON_TIME.sub('"<TIME>"', _output(capsys, "analyze", "EMG331", "--json"))
    assert text == (GOLDEN / "emg331.json").read_text()


def test_emg331_in_romanian_reads_lei_comma_decimals_and_local_time(
    emg331_only: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    english_json = _output(capsys, "analyze", "EMG331", "--json")
    monkeypatch.setenv("STOCKBOT_LANGUAGE", "ro")
    text = TEXT_TIME.sub("<TIME>", _output(capsys, "analyze", "EMG331"))
    assert text == (GOLDEN / "emg331.ro.txt").read_text()
    assert "69,30 lei" in text and "RON" not in text
    assert "Recomandări:" in text and "transfer de stoc: mutați 10 FBE -> MAIN" in text
    assert "Recommendations" not in text and "stock transfer" not in text
    assert _output(capsys, "analyze", "EMG331", "--json") == english_json
