"""The competitor watch's history: one row per offer and eMAG sync (rank, sellers, our
own active offers, our price, the best offer's price), and the watch state on each offer
moved on from the previous sync by the engine's `next_state`.

Only the eMAG sync records it (`bot.emag.sync`), once both accounts are stored and
inside the transaction that updates the alert history, so a failed sync leaves no
half-written history and both accounts' points count our own active offers alike. A CSV
import or the demo seed never does: a file has no best prices and often no ranks, so a
comparison between a file and an eMAG read would invent lost buy buttons and sellers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, literal, null, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased

from bot.engine.competition_watch import WatchState, next_state
from bot.engine.models import ACCOUNTS, Account, CompetitionPoint, Rules
from storage.classifier_sides import own_active, positive
from storage.db import dialect_insert
from storage.models import CompetitionRecord, Offer, Product
from storage.queries import lookup_key
from storage.status import refresh_status
from storage.types import UTCDateTime

# Days of history kept: a week-ago comparison and a month of rank history, with a margin.
COMPETITION_DAYS_KEPT = 35
_COLUMNS = (
    "product_id",
    "account",
    "taken_at",
    "buy_button_rank",
    "number_of_offers",
    "own_active",
    "competitors",
    "stock",
    "sale_price",
    "best_offer_sale_price",
)


def _insert_points(session: Session, now: datetime) -> None:
    """A point for every offer this sync read (`last_read_at = now`), in one statement."""
    here, main, fbe = aliased(Offer, name="o"), aliased(Offer, name="m"), aliased(Offer, name="f")
    own = own_active(main) + own_active(fbe)
    points = (
        select(
            here.product_id,
            here.account,
            literal(now, UTCDateTime()),
            here.buy_button_rank,
            here.number_of_offers,
            own,
            case(
                (here.number_of_offers.is_(None), null()),
                else_=positive(here.number_of_offers - own),
            ),
            here.stock,
            here.sale_price,
            here.best_offer_sale_price,
        )
        .select_from(here)
        .outerjoin(main, and_(main.product_id == here.product_id, main.account == "main"))
        .outerjoin(fbe, and_(fbe.product_id == here.product_id, fbe.account == "fbe"))
        .where(here.last_read_at == now)
    )
    session.execute(
        dialect_insert(session, CompetitionRecord)
        .from_select(list(_COLUMNS), points)
        .on_conflict_do_nothing()
    )


def _move_watch_state(session: Session, now: datetime, rules: Rules) -> int:
    """Each offer read now: its state from the previous point to this one (one read, one
    executemany of the offers whose state changed); returns how many changed."""
    offer = aliased(Offer, name="o")
    current, previous = aliased(CompetitionRecord, name="c"), aliased(CompetitionRecord, name="p")
    before = (
        select(CompetitionRecord.taken_at)
        .where(
            CompetitionRecord.product_id == offer.product_id,
            CompetitionRecord.account == offer.account,
            CompetitionRecord.taken_at < now,
        )
        .order_by(CompetitionRecord.taken_at.desc())
        .limit(1)
        .correlate(offer)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            offer.id,
            offer.product_id,
            offer.buy_button_lost_at,
            offer.sellers_before,
            offer.sellers_rose_at,
            current.buy_button_rank,
            current.competitors,
            previous.taken_at,
            previous.buy_button_rank,
            previous.competitors,
        )
        .select_from(offer)
        .join(
            current,
            and_(
                current.product_id == offer.product_id,
                current.account == offer.account,
                current.taken_at == now,
            ),
        )
        .outerjoin(
            previous,
            and_(
                previous.product_id == offer.product_id,
                previous.account == offer.account,
                previous.taken_at == before,
            ),
        )
        .where(offer.last_read_at == now)
        # Streamed: every offer of the sync comes through here (2 x 100k rows held at
        # once were the sync's peak of memory).
        .execution_options(yield_per=2000)
    )
    changed, products = [], []
    for row_id, product_id, lost_at, sellers, rose_at, rank, rivals, then, rank0, rivals0 in rows:
        state = WatchState(lost_at, sellers, rose_at)
        earlier = (
            None
            if then is None
            else CompetitionPoint(taken_at=then, rank=rank0, competitors=rivals0)
        )
        moved = next_state(
            state, earlier, CompetitionPoint(taken_at=now, rank=rank, competitors=rivals)
        )
        if moved != state:
            changed.append({"row_id": row_id, **{f"v_{k}": v for k, v in moved._asdict().items()}})
            products.append(product_id)
    if changed:
        table = Offer.__table__
        fields = {name: bindparam(f"v_{name}") for name in WatchState._fields}
        session.execute(
            table.update().where(table.c.id == bindparam("row_id")).values(fields), changed
        )
        refresh_status(session, rules, sorted(set(products)))
    return len(changed)


def record_competition(session: Session, now: datetime, rules: Rules) -> int:
    """This sync's points, the offers' watch state moved on, history past
    COMPETITION_DAYS_KEPT dropped; returns the offers whose state changed."""
    _insert_points(session, now)
    changed = _move_watch_state(session, now, rules)
    session.execute(
        delete(CompetitionRecord).where(
            CompetitionRecord.taken_at < now - timedelta(days=COMPETITION_DAYS_KEPT)
        )
    )
    return changed


_records, _products = CompetitionRecord.__table__, Product.__table__
_POINT_COLUMNS = (
    _records.c.account,
    _records.c.taken_at,
    _records.c.buy_button_rank,
    _records.c.number_of_offers,
    _records.c.competitors,
    _records.c.stock,
    _records.c.sale_price,
    _records.c.best_offer_sale_price,
)
# Built once: every analysis asks it, and a statement rebuilt each time costs more than
# the lookup (benchmarks/analyze.py).
_HISTORY = (
    select(*_POINT_COLUMNS)
    .select_from(_records.join(_products, _products.c.id == _records.c.product_id))
    .where(_products.c.sku_key == bindparam("key"), _records.c.taken_at <= bindparam("now"))
    .order_by(_records.c.taken_at)
)
_HISTORIES = (
    select(_records.c.product_id, *_POINT_COLUMNS)
    .where(
        _records.c.product_id.in_(bindparam("ids", expanding=True)),
        _records.c.taken_at <= bindparam("now"),
    )
    .order_by(_records.c.product_id, _records.c.taken_at)
)


def _point(row: Any) -> CompetitionPoint:
    return CompetitionPoint(
        taken_at=row.taken_at,
        rank=row.buy_button_rank,
        number_of_offers=row.number_of_offers,
        competitors=row.competitors,
        stock=row.stock,
        price=row.sale_price,
        best_price=row.best_offer_sale_price,
    )


def competition_history(
    session: Session | Connection, sku: str, now: datetime
) -> dict[Account, list[CompetitionPoint]]:
    """A product's kept points per account (by its SKU), oldest first, for its analysis;
    a bare connection will do."""
    found: dict[Account, list[CompetitionPoint]] = {account: [] for account in ACCOUNTS}
    for row in session.execute(_HISTORY, {"key": lookup_key(sku), "now": now}):
        found[row.account].append(_point(row))
    return found


def competition_histories(
    session: Session, product_ids: list[int], now: datetime
) -> dict[int, dict[Account, list[CompetitionPoint]]]:
    """`competition_history` of a page of products (by id) in one statement."""
    found: dict[int, dict[Account, list[CompetitionPoint]]] = {
        product_id: {account: [] for account in ACCOUNTS} for product_id in product_ids
    }
    if product_ids:
        for row in session.execute(_HISTORIES, {"ids": product_ids, "now": now}):
            found[row.product_id][row.account].append(_point(row))
    return found
