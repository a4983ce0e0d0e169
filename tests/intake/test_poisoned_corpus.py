"""A corpus of poisoned CSV files imported with `stockbot import` into SQLite and into
PostgreSQL: each is refused whole, naming its line, the same on both; a file at every
limit is accepted on both; and every surface (alerts, summary, the digest, the dashboard,
/stock alerts, App Home) still answers afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.cli.main import main
from bot.jobs.worker import post_digest
from storage.models import Offer, Product
from tests.handlers.conftest import Bot, _bot, wait_for

HEADER = (
    "sku,account,stock,number_of_offers,buy_button_rank,pnk,ean,name,sale_price,status,"
    "offer_id,last_sent_at"
)
GOOD = "GOOD1,main,3,2,,,,Good one,10.50,1,,"
API_TOKEN = "corpus-api-token"
LATER = (datetime.now(UTC) + timedelta(days=2)).isoformat()


def _row(**given: str) -> str:
    """A data row: GOOD1's FBE offer with some columns replaced."""
    values = dict.fromkeys(HEADER.split(","), "")
    values.update({"sku": "GOOD1", "account": "fbe", "stock": "1", "number_of_offers": "2"})
    values.update(given)
    return ",".join(values.values())


# (name, file content after the header and GOOD on line 2, [(line, words in its problem)])
CORPUS: list[tuple[str, str, list[tuple[int, str]]]] = [
    ("price 1e400", _row(sale_price="1e400"), [(3, "sale_price must be a decimal number")]),
    ("price NaN", _row(sale_price="NaN"), [(3, "sale_price must be a decimal number")]),
    ("price Infinity", _row(sale_price="Infinity"), [(3, "sale_price")]),
    ("price -Infinity", _row(sale_price="-Infinity"), [(3, "sale_price")]),
    ("price 10^11", _row(sale_price="100000000000"), [(3, "sale_price")]),
    ("long sku", _row(sku="S" * 3000), [(3, "sku is 3000 characters long, at most 128")]),
    ("sku 129", _row(sku="S" * 129), [(3, "sku is 129 characters long")]),
    ("NUL in sku", _row(sku="A\x00B"), [(3, "sku contains a control character (U+0000)")]),
    ("NUL in name", _row(name="x\x00y"), [(3, "name contains a control character")]),
    ("escape in pnk", _row(pnk="P\x1b[31m"), [(3, "pnk contains a control character (U+001B)")]),
    ("long pnk", _row(pnk="P" * 33), [(3, "pnk is 33 characters long, at most 32")]),
    ("long ean", _row(ean="5" * 40), [(3, "ean is 40 characters long, at most 32")]),
    ("long name", _row(name="n" * 513), [(3, "name is 513 characters long, at most 512")]),
    ("stock 65536", _row(stock="65536"), [(3, "stock must be a whole number 0..65535")]),
    ("stock 10^20", _row(stock="1" + "0" * 20), [(3, "stock must be a whole number")]),
    ("offers 10^11", _row(number_of_offers="100000000000"), [(3, "number_of_offers")]),
    ("rank 0", _row(buy_button_rank="0"), [(3, "buy_button_rank must be a whole number 1..")]),
    ("rank 70000", _row(buy_button_rank="70000"), [(3, "buy_button_rank")]),
    ("offer id 2^24", _row(offer_id="16777216"), [(3, "offer_id must be a whole number 1..")]),
    ("offer id 10^19", _row(offer_id="1" + "0" * 19), [(3, "offer_id")]),
    ("status 3", _row(status="3"), [(3, "status must be a whole number 0..2")]),
    ("year 9999", _row(last_sent_at="9999-12-31T00:00:00+00:00"), [(3, "between 2000-01-01")]),
    ("year 1999", _row(last_sent_at="1999-12-31T23:59:59+00:00"), [(3, "last_sent_at")]),
    ("day after tomorrow", _row(last_sent_at=LATER), [(3, "and tomorrow")]),
    (
        "quote left open mid-file",
        _row(name='"Open quote') + "\n" + _row(account="main", sku="LOST1") + "\n"
        + _row(sku="LOST2") + '\n"\n' + _row(sku="AFTER"),
        [(3, "a quoted field runs on to line 6")],
    ),
    ("quote open to the end", _row(name='"Never closed') + "\n" + _row(sku="X"), [(3, "quote")]),
    ("text after a closing quote", _row(name='"Name"tail'), [(3, "expected after")]),
    (
        "several bad rows",
        _row(stock="-1") + "\n" + _row(sku="OK2") + "\n" + _row(sku="B\x00", sale_price="inf"),
        [(3, "stock"), (5, "sku contains a control character"), (5, "sale_price")],
    ),
]  # fmt: skip
MAX_SKU = "Ș" * 128  # characters, not bytes: 256 bytes in UTF-8
AT_THE_LIMITS = [
    f"{MAX_SKU},main,65535,65535,65535,{'P' * 32},{'5' * 32},{'ă' * 512},9999999999.9999,2,"
    f"16777215,{(datetime.now(UTC) + timedelta(hours=23)).isoformat()}",
    f"{MAX_SKU},fbe,0,0,1,,,,0.00005,0,1,2000-01-01T00:00:00+00:00",
]


@pytest.fixture
def bot(db_url: str, tmp_path: Path) -> Iterator[Bot]:
    yield from _bot(tmp_path, {"STOCKBOT_API_TOKENS": API_TOKEN}, url=db_url)


def _import(path: Path, db_url: str, monkeypatch, capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)
    capsys.readouterr()
    status = main(["import", str(path)])
    return status, capsys.readouterr().err


def _stored(bot: Bot) -> tuple[int, int, int]:
    with bot.runtime.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(Product)) or 0,
            session.scalar(select(func.count()).select_from(Offer)) or 0,
            session.scalar(select(func.max(Offer.emag_offer_id))) or 0,
        )


def _every_surface_answers(bot: Bot) -> None:
    service = bot.runtime.service
    assert service.alerts(500).total > 0
    assert service.summary().products_tracked > 0
    outcome = post_digest(bot.runtime, force=True)
    assert outcome.status == "sent", outcome.detail
    page = httpx.get(f"{bot.url}/dashboard", headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert page.status_code == 200 and "EMG331" in page.text
    bot.sender.command("alerts 50", channel="CALERTS")
    [message] = wait_for(lambda: bot.slack.messages("CALERTS"), timeout=10)
    assert "Stock alerts" in json.dumps(message["blocks"])
    assert bot.sender.event({"type": "app_home_opened", "user": "U7", "tab": "home"}).is_success
    home = wait_for(lambda: bot.slack.home("U7"), timeout=10)
    assert "Products tracked" in json.dumps(home)


def test_every_poisoned_file_is_refused_whole_with_its_lines_and_the_surfaces_still_answer(
    bot: Bot, db_url: str, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    before = _stored(bot)
    for name, rows, expected in CORPUS:
        path = tmp_path / "poisoned.csv"
        path.write_text(f"{HEADER}\n{GOOD}\n{rows}\n", encoding="utf-8")
        status, err = _import(path, db_url, monkeypatch, capsys)
        assert status == 1, name
        assert err.count("\n") == 1 and "nothing imported" in err, (name, err)
        noun = "problem" if len(expected) == 1 else "problems"
        assert f"{len(expected)} {noun}: " in err, (name, err)
        problems = err.split(f"{noun}: ", 1)[1]
        for line, words in expected:
            assert any(
                part.startswith(f"line {line}:") and words in part for part in problems.split("; ")
            ), (name, err)
        assert "\x00" not in err and "\x1b" not in err  # quoted back visibly
        assert _stored(bot) == before, name
    _every_surface_answers(bot)


def test_a_file_half_utf8_half_cp1250_is_refused_naming_both_lines(
    bot: Bot, db_url: str, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    # Read whole as cp1250, line 2's "Ș" would be stored as two wrong letters.
    path = tmp_path / "pasted.csv"
    utf8 = f"{HEADER}\n{GOOD.replace('Good one', 'Ștefan')}\n".encode()
    path.write_bytes(utf8 + _row(name="Căciulă").encode("cp1250"))
    status, err = _import(path, db_url, monkeypatch, capsys)
    assert status == 1 and "line 2 is UTF-8 but line 3 is not: mixed encodings" in err
    assert _stored(bot)[0] == 41  # the 40 demo products and EMG331, nothing more


def test_a_file_at_every_limit_is_stored_the_same_and_shown_everywhere(
    bot: Bot, db_url: str, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "limits.csv"
    path.write_text("\n".join([HEADER, *AT_THE_LIMITS]) + "\n", encoding="utf-8")
    status, err = _import(path, db_url, monkeypatch, capsys)
    assert (status, err) == (0, "")
    analysis = bot.runtime.service.analyze(MAX_SKU.lower())
    assert analysis.sku == MAX_SKU and len(analysis.name or "") == 512
    main_offer = bot.runtime.service.snapshot(MAX_SKU).main
    assert main_offer is not None and str(main_offer.sale_price) == "9999999999.9999"
    fbe = bot.runtime.service.snapshot(MAX_SKU).fbe
    assert fbe is not None and str(fbe.sale_price) == "0.0000"  # 0.00005 rounded half-even
    assert _stored(bot)[2] == 16_777_215
    _every_surface_answers(bot)
