"""The dashboard in STOCKBOT_LANGUAGE: Romanian words, lei and comma decimals, "not listed"
said in words; the REST API's JSON the same in both languages."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import formats
from bot.intake.seed import store_snapshots
from tests.conftest import NOW
from tests.factories import offer, product
from tests.web.conftest import Served

API = "/api/v1/stock-sync"


def _page(served: Served, **params: str) -> str:
    response = served.http.get("/dashboard", params=params, headers=served.auth())
    assert response.status_code == 200
    return response.text


def test_the_dashboard_reads_in_romanian_and_the_api_does_not_change(served: Served) -> None:
    fbe_only = product(fbe=offer("fbe", 12, offers=3), sku="ONLYFBE")
    fbe_only.category = "Solo"
    store_snapshots(served.runtime.sessions, [fbe_only], "csv", NOW, served.runtime.service.rules)
    english_page = _page(served)
    english_json = served.http.get(f"{API}/analyze/EMG331", headers=served.auth()).json()
    assert "Products" in english_page and '<html lang="en">' in english_page

    formats.activate("ro", ZoneInfo("Europe/Bucharest"))
    page = _page(served)
    assert '<html lang="ro">' in page and "<h1>Produse</h1>" in page
    assert "Validează transferul" in page and "lei/zi" in page
    assert "Products" not in page and "RON" not in page
    page = _page(served, category="Solo")
    row = page[page.index('data-sku="ONLYFBE"') :]
    row = row[: row.index("</tr>")]
    # Not listed on MAIN is said so, never shown as 0 stock.
    assert "<td>nelistat</td>" in row and "<td>12</td>" in row
    assert served.http.get(f"{API}/analyze/EMG331", headers=served.auth()).json() == english_json


def test_a_wrong_filter_is_said_in_the_language(served: Served) -> None:
    formats.activate("ro", ZoneInfo("Europe/Bucharest"))
    page = _page(served, priority="urgent")
    assert "prioritate necunoscută &#39;urgent&#39;: se arată toate" in page
