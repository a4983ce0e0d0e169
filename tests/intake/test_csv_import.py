"""CSV import parsing: the engine.md format, and every bad row reported by line."""

from __future__ import annotations

import pytest

from bot.intake.csv_import import CsvImportError, parse_offers_csv
from tests.conftest import NOW

HEADER = (
    "sku,account,stock,number_of_offers,buy_button_rank,pnk,ean,name,sale_price,status,"
    "offer_id,last_sent_at,extra"
)


def parse(*rows: str, header: str = HEADER):  # type: ignore[no-untyped-def]
    return parse_offers_csv([header, *rows], NOW)


def test_rows_per_account_become_one_product():
    (item,) = parse(
        "EMG331,MAIN,0,2,,DNN83CYBM,8266294692464,Demo,99.00,1,243409,2026-11-17T09:00:00+00:00,x",
        "emg331,fbe,26,2,,,,,,,,,",
    )
    assert item.sku == "EMG331" and item.pnk == "DNN83CYBM"
    assert (item.main.stock, item.fbe.stock) == (0, 26)
    assert item.main.offer_id == 243409 and str(item.main.sale_price) == "99.00"
    assert item.main.last_sent_at.isoformat() == "2026-11-17T09:00:00+00:00"
    assert item.fbe.last_sent_at is None and item.fbe.status == 1
    assert item.main.last_read_at == NOW


def test_empty_stock_and_offers_mean_unknown():
    (item,) = parse("A,main,,,,,,,,,,,")
    assert item.main.stock is None and item.main.number_of_offers is None


def test_columns_in_any_order_and_only_required_ones():
    (item,) = parse("3,main,X1,1", header="stock,account,sku,number_of_offers")
    assert item.sku == "X1" and item.main.stock == 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A,store,1,1,,,,,,,,,", "account must be 'main' or 'fbe'"),
        ("A,main,-1,1,,,,,,,,,", "stock must be a whole number"),
        ("A,main,ten,1,,,,,,,,,", "stock must be a whole number"),
        ("A,main,1,1,0,,,,,,,,", "buy_button_rank"),
        ("A,main,1,1,,,,,abc,,,,", "sale_price"),
        ("A,main,1,1,,,,,,7,,,", "status"),
        ("A,main,1,1,,,,,,,,2026-11-17,", "last_sent_at must be ISO 8601 with an offset"),
        ("A,main,1,1,,,,,,,,yesterday,", "last_sent_at"),
        (",main,1,1,,,,,,,,,", "sku is required"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_number(row, message):
    with pytest.raises(CsvImportError) as caught:
        parse("OK,main,1,1,,,,,,,,,", row)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith("line 3:")
    assert message in caught.value.problems[0]


def test_every_bad_row_is_reported():
    with pytest.raises(CsvImportError) as caught:
        parse("A,x,1,1,,,,,,,,,", "B,main,1,1,,,,,,,,,", "C,main,-2,1,,,,,,,,,")
    assert [p.split(":")[0] for p in caught.value.problems] == ["line 2", "line 4"]


def test_duplicate_rows_are_refused():
    with pytest.raises(CsvImportError) as caught:
        parse("A,main,1,1,,,,,,,,,", "a,MAIN,2,1,,,,,,,,,")
    assert "already given on line 2" in caught.value.problems[0]


def test_missing_required_column():
    with pytest.raises(CsvImportError) as caught:
        parse("A,main,1", header="sku,account,stock")
    assert "number_of_offers" in str(caught.value)
