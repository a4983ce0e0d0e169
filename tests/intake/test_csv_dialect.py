"""`stockbot import` of what Romanian Excel writes (engine.md, CSV import format): real
files as bytes, imported by the CLI into a real SQLite file; every refusal is one line
naming what was found, and leaves the database as it was."""

from __future__ import annotations

import codecs
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.cli.main import main
from bot.engine.models import ProductSnapshot
from bot.intake.csv_dialect import CsvDialect
from bot.intake.csv_import import CsvImportError, parse_offers_csv
from bot.runtime import build_runtime
from bot.settings import load_settings
from tests.conftest import NOW

# As Excel in Romanian saves "CSV (separat prin virgulă)": ';', CRLF, decimal commas,
# thousands dots, and ş/ţ with a cedilla (cp1250 has no comma-below letters).
RO_ROWS = (
    "SKU;Account;Stock;Number_of_offers;Name;Sale_price\r\n"
    "RO1;MAIN;1.234;2;Husă şi ţesătură îmbrăcăminte â;1.234,50\r\n"
    "RO1;fbe;3;2;;12,5\r\n"
)
RO_NAME = "Husă și țesătură îmbrăcăminte â"  # as Romanian spells it, comma below


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database already holding one imported product (so "unchanged" means something)."""
    url = f"sqlite:///{tmp_path / 'import.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    first = tmp_path / "first.csv"
    first.write_bytes(b"sku,account,stock,number_of_offers,sale_price\nOLD1,main,5,1,7.25\n")
    assert main(["import", str(first), "--quiet"]) == 0
    return url


def _import(
    tmp_path: Path, data: bytes, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    path = tmp_path / "offers.csv"
    path.write_bytes(data)
    capsys.readouterr()
    code = main(["import", str(path), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def _snapshot(url: str, sku: str) -> ProductSnapshot:
    runtime = build_runtime(load_settings(DATABASE_URL=url))
    try:
        return runtime.service.snapshot(sku)
    finally:
        runtime.engine.dispose()


def _dump(url: str) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = [
            tuple(row)
            for table in ("products", "offers", "snapshot_runs")
            for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
        ]
    engine.dispose()
    return rows


def test_a_cp1250_semicolon_file_with_decimal_commas_imports(url, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = _import(tmp_path, RO_ROWS.encode("cp1250"), capsys)
    assert (code, err) == (0, "")
    assert "imported 1 products" in out and "cp1250, separator ';', decimal comma" in out
    product = _snapshot(url, "RO1")
    assert product.name == RO_NAME
    assert product.main is not None and product.fbe is not None
    assert (product.main.stock, product.main.sale_price) == (1234, Decimal("1234.5000"))
    assert (product.fbe.stock, product.fbe.sale_price) == (3, Decimal("12.5000"))
    assert _snapshot(url, "OLD1").main.sale_price == Decimal("7.2500")  # type: ignore[union-attr]


def test_a_utf8_bom_semicolon_file_imports(url, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rows = RO_ROWS.replace("şi ţ", "și ț")  # UTF-8 holds the comma-below letters as they are
    code, out, err = _import(tmp_path, codecs.BOM_UTF8 + rows.encode(), capsys)
    assert (code, err) == (0, "") and "UTF-8 with BOM, separator ';'" in out
    product = _snapshot(url, "ro1")
    assert product.name == RO_NAME and product.main is not None
    assert product.main.sale_price == Decimal("1234.5000")


@pytest.mark.parametrize(
    "data",
    [RO_ROWS.encode("utf-16"), RO_ROWS.encode("utf-16-le"), RO_ROWS.encode("utf-16-be")],
    ids=["with BOM", "little-endian without BOM", "big-endian without BOM"],
)
def test_a_utf16_file_is_refused_naming_the_encoding(url, tmp_path, capsys, data) -> None:  # type: ignore[no-untyped-def]
    before = _dump(url)
    code, out, err = _import(tmp_path, data, capsys)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "the file is UTF-16" in err and "CSV UTF-8" in err
    assert _dump(url) == before


HEADER = "sku,account,stock,number_of_offers,sale_price"
WRONG = [
    (
        f"{HEADER}\nA,main,1,1,12,50\n",
        "line 2: decimal comma in sale_price ('12,50') but the separator is ','",
    ),
    (
        f'{HEADER}\nA,main,1,1,"12,50"\n',
        "line 2: decimal comma in sale_price ('12,50') but the separator is ','",
    ),
    (
        f"{HEADER},name\nA,main,1,1,3,Pahar,mare\n",
        "line 2: 7 values but the header names 6 columns (a ',' inside an unquoted value?)",
    ),
    (
        f"{HEADER.replace(',', ';')}\nA;main;1;1;12.50\n",
        "line 2: decimal point in sale_price ('12.50') but the separator is ';'",
    ),
    (
        f"{HEADER.replace(',', ';')}\nA;main;1;1;1.250\n",  # 1250 or 1.25: not guessed
        "line 2: decimal point in sale_price ('1.250') but the separator is ';'",
    ),
    (f"{HEADER}\nA;main;1;1;2\n", "line 2: separator ';' found but the header line uses ','"),
    (
        "sku;account;stoc;number_of_offers\nA;main;1;1\n",
        "line 1: separator ';' found but missing required columns: stock",
    ),
    (
        "sku\taccount\tstock\tnumber_of_offers\nA\tmain\t1\t1\n",
        "line 1: no ',' or ';' in the header line, missing required columns: sku, account",
    ),
]


@pytest.mark.parametrize(("content", "message"), WRONG)
def test_a_wrong_file_is_refused_naming_the_separator_or_decimal_found(
    url, tmp_path, capsys, content, message
) -> None:  # type: ignore[no-untyped-def]
    before = _dump(url)
    code, out, err = _import(tmp_path, content.encode(), capsys)
    assert code == 1 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert message in err
    assert _dump(url) == before


def test_a_byte_neither_utf8_nor_cp1250_is_refused_naming_its_line(url, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    before = _dump(url)
    code, _, err = _import(
        tmp_path, f"{HEADER}\nA,main,1,1,2\n".encode() + b"B,main,1,1,\x81\n", capsys
    )
    assert code == 1 and "line 3: neither UTF-8 nor cp1250 (byte 0x81)" in err
    assert _dump(url) == before


def test_a_comma_file_keeps_its_decimal_points() -> None:
    (item,) = parse_offers_csv([HEADER, "A,main,1234,1,1234.50"], NOW)
    assert item.main is not None and item.main.sale_price == Decimal("1234.50")
    with pytest.raises(CsvImportError) as caught:
        parse_offers_csv([HEADER, "A,main,1.234,1,1"], NOW)  # no thousands dots in ','
    assert "stock must be a whole number" in caught.value.problems[0]


@pytest.mark.parametrize(
    ("price", "read"),
    [("12,50", "12.50"), ("1.234,5", "1234.5"), ("1.234.567,00", "1234567.00"), ("7", "7")],
)
def test_semicolon_decimals_are_read_with_their_comma(price, read) -> None:  # type: ignore[no-untyped-def]
    semicolon = CsvDialect("cp1250", ";")
    (item,) = parse_offers_csv([HEADER.replace(",", ";"), f"A;main;1;1;{price}"], NOW, semicolon)
    assert item.main is not None and item.main.sale_price == Decimal(read)
