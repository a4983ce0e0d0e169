"""The terminal's width holds in both languages: no line of any answer or help is longer
than COLUMNS (80 or 60), the long last column of a table follows its row instead, and an
account without an offer reads "not listed", never 0."""

from __future__ import annotations

import pytest

from bot.cli.main import main
from bot.intake.seed import store_snapshots
from bot.runtime import build_runtime
from bot.settings import load_settings
from tests.conftest import NOW
from tests.factories import offer, product

COMMANDS = [
    ["analyze", "EMG331"],
    ["alerts"],
    ["summary"],
    ["summary", "--by-category"],
    ["bulk", "EMG331", "ONLYFBE", "NOPE"],
    ["rules"],
    ["kpis"],
    ["transfer", "EMG331", "fbe", "main", "10"],
    ["--help"],
    ["sync", "--help"],
]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('widths') / 'cli.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        assert main(["seed-demo", "--products", "60"]) == 0
        runtime = build_runtime(load_settings())
        fbe_only = product(fbe=offer("fbe", 12, offers=3), sku="ONLYFBE")
        store_snapshots(runtime.sessions, [fbe_only], "csv", NOW, runtime.service.rules)
        runtime.engine.dispose()
    return url


def _output(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as stop:  # --help
        code = stop.code
    assert code == 0, argv
    return capsys.readouterr().out


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("language", ["en", "ro"])
def test_no_line_is_wider_than_the_terminal(
    catalogue: str,
    language: str,
    columns: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", catalogue)
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("STOCKBOT_LANGUAGE", language)
    for argv in COMMANDS:
        lines = _output(capsys, argv).splitlines()
        assert lines, argv
        wide = [line for line in lines if len(line) > columns]
        assert not wide, (argv, wide)


def test_a_table_too_wide_puts_its_last_column_under_each_row(
    catalogue: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", catalogue)
    monkeypatch.setenv("COLUMNS", "80")
    lines = _output(capsys, ["bulk", "EMG331", "ONLYFBE"]).splitlines()
    assert lines[1].split() == ["sku", "|", "priority", "|", "main", "|", "fbe"]
    emg331 = lines.index(next(line for line in lines if line.startswith("EMG331 ")))
    assert lines[emg331 + 1].startswith("    top recommendation: [HIGH] stock transfer")
    only_fbe = next(line for line in lines if line.startswith("ONLYFBE"))
    assert only_fbe.split(" | ")[2].strip() == "not listed"
    assert only_fbe.split(" | ")[3].strip() == "12"
    monkeypatch.setenv("COLUMNS", "200")
    wide = _output(capsys, ["bulk", "EMG331"]).splitlines()
    assert "top recommendation" in wide[1]


def test_not_listed_reads_in_romanian(
    catalogue: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", catalogue)
    monkeypatch.setenv("STOCKBOT_LANGUAGE", "ro")
    text = _output(capsys, ["analyze", "ONLYFBE"])
    assert "MAIN | nelistat" in text and "Nelistat pe MAIN" in text
