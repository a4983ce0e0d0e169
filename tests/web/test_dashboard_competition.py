"""The dashboard's Competition column: per account our rank history and the price gap
from the competitor watch, and a badge when the buy button is lost while in stock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from bot.engine.models import Rules
from storage.competition import record_competition
from storage.db import transaction
from storage.history import record_history
from storage.writes import upsert_snapshots
from tests.conftest import NOW
from tests.factories import offer, product
from tests.web.conftest import Served

RULES = Rules()


def _read_at(served: Served, moment, rank: int, best: Decimal | None) -> None:  # type: ignore[no-untyped-def]
    main = offer("main", 20, 3, rank=rank, read_at=moment)
    main.best_offer_sale_price = best
    snapshot = product(main, offer("fbe", 5, 3, rank=None, read_at=moment), sku="WATCHED")
    with transaction(served.runtime.sessions) as session:
        upsert_snapshots(session, [snapshot], moment, RULES)
        record_competition(session, moment, RULES)
        record_history(session, moment, RULES)


def _competition_cell(served: Served) -> str:
    response = served.http.get("/dashboard", headers=served.auth())
    assert response.status_code == 200
    row = response.text[response.text.index('data-sku="WATCHED"') :]
    row = row[row.index('<td class="competition">') :]
    return row[: row.index("</td>")]


def test_a_lost_buy_button_shows_the_rank_history_the_gap_and_a_badge(served: Served) -> None:
    _read_at(served, NOW - timedelta(days=8), rank=1, best=None)
    _read_at(served, NOW, rank=2, best=Decimal("95.00"))
    cell = _competition_cell(served)
    assert "MAIN: 1 competing now, 1 a week ago" in cell
    assert "rank #1 (" in cell and ") -&gt; #2 (" in cell
    assert "best offer RON 95.00: RON 5.00 (5.0%) above" in cell
    assert "buy button lost" in cell


def test_a_best_price_eMAG_does_not_give_is_said_unknown(served: Served) -> None:
    _read_at(served, NOW - timedelta(days=8), rank=1, best=None)
    _read_at(served, NOW, rank=2, best=None)
    cell = _competition_cell(served)
    assert "best price unknown" in cell and "RON 5.00" not in cell
