"""The quick read of plain CSV rows gives what the full checks give, row for row, and
leaves every other row to them."""

from __future__ import annotations

import csv
import io

import pytest

from bot.intake.csv_dialect import CsvDialect
from bot.intake.csv_import import OfferStream
from bot.intake.csv_lines import kept_values
from bot.intake.csv_rows import QuickRows
from tests.conftest import NOW

HEADER = "sku,account,stock,number_of_offers,buy_button_rank,pnk,ean,name,category,"
HEADER += "sale_price,status,offer_id,last_sent_at,sales_30d,extra"
ROWS = {
    ",": [
        "A1,main,7,4,1,PNK1,594,Name 1,Audio,239.15,1,1,2026-11-20T09:00:00+00:00,15,x",
        " a2 , FBE , 0 ,0,,,,,,,,,,,",
        "A3,main,65535,65535,65535,P,E,N,C,9999999999.9999,2,16777215,2026-12-03T00:00:00Z,0,",
        "A4,main,65536,1,,,,,,,,,,,",
        "A5,main,-1,1,,,,,,,,,,,",
        "A6,main,1,1,0,,,,,,,,,,",
        "A7,main,1,1,,,,,,12.34567,,,,,",
        "A8,main,1,1,,,,,,12,5,,,,",
        "A9,main,1,1,,,,,,,3,,,,",
        "A10,x,1,1,,,,,,,,,,,",
        ",main,1,1,,,,,,,,,,,",
        "A11,main,1,1,,,,,,,,,not a date,,",
        "A12,main,1,1,,,,,,,,,2031-01-01T00:00:00+00:00,,",
        "A13,main,1,1,,,,,,,,,2026-11-20T09:00:00,,",
        "A14,main,²,1,,,,,,,,,,,",
        "A15,main,1,1,,\u00a0P,,,,,,,,,",
        "A16,main,1,1,,,,\x07,,,,,,,",
        "A17,main,1,1,,,," + "n" * 513 + ",,,,,,,",
        "A18,main,1,1,,,,,,1e3,,,,,",
        "A19,main,1,1,,,,,,,,0,,,",
        "A20,main,1,1,,,,,,,,,,10000001,",
        "A21,main,1,1",
        "A22,main,1,1,,,,,,,,,,,,,",
    ],
    ";": [
        "B1;main;1.234;2;;;;;;12,50;;;;;",
        "B2;main;3;2;;;;;;187;;;;;",
        "B3;main;3;2;;;;;;1.250;;;;;",
        "B4;main;3;2;;;;;;1.234,5;;;;;",
        "B5;main;3;2;;;;;;12,5;1;;;;",
    ],
}


@pytest.mark.parametrize("separator", [",", ";"])
def test_quick_rows_read_what_the_full_checks_read(separator: str) -> None:
    dialect = CsvDialect(separator=separator)
    header = [name.strip().lower() for name in HEADER.replace(",", separator).split(separator)]
    rows = list(csv.reader(io.StringIO("\n".join(ROWS[separator])), delimiter=separator))
    quick = QuickRows(header, dialect, NOW)
    stream = OfferStream([], NOW, dialect)
    read = quick.read(rows)
    full = [stream._checked(line, kept_values(header, row)) for line, row in enumerate(rows)]
    assert len(read) == len(rows)
    for row, got, (columns, checked) in zip(rows, read, full, strict=True):
        if got is not None:
            assert columns == quick.columns and got == checked, row
    assert sum(got is not None for got in read) >= 2
    # The others are left to the full checks, good or bad.
    left = [checked for got, (_columns, checked) in zip(read, full, strict=True) if got is None]
    assert any(checked is not None for checked in left)
    assert any(checked is None for checked in left)
    stream.__exit__()
