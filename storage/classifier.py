"""The engine's priority and issues as SQL expressions, for whole-catalogue reads.

`bot.engine.analyze` is the reference; this module restates only what counting and
ordering need (priority, issue flags, lost sales) so that alerts and summaries are a
fixed number of set-based queries. A property test compares the two on random data.

The part that depends only on the offers is stored per product (`status_rows` into
`product_status`, kept current by storage.status); `classified_products` adds the part
that depends on the clock, so a whole-catalogue read is one scan of a narrow table.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Numeric,
    Select,
    and_,
    bindparam,
    case,
    cast,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from bot.engine.models import Rules
from storage.classifier_sides import (
    Inputs,
    Side,
    base_statement,
    better_placed,
    may_balance,
    shortage_flags,
    spare_of,
)
from storage.classifier_sides import flag as _flag
from storage.models import Offer, Product, ProductStatus

NEVER_SENT = datetime(1970, 1, 1, tzinfo=UTC)

MainOffer = aliased(Offer, name="m")
FbeOffer = aliased(Offer, name="f")


# One side's conditions (stored as 1/0) and numbers in the `sides` statement, each
# worked out once per product there; the classification combines them.
_FLAGS = ("listed", "sellable", "unsellable", "competition", "no_competition", "pace_known")
_FLAGS += ("firing", "overdue", "lost", "cannot_sell")
_NUMBERS = ("stock", "on_hand", "keep", "need", "wanted", "sellers_until", "due")


class _Read:
    """One account's side as the columns of the `sides` statement."""

    def __init__(self, columns: Any, account: str) -> None:
        for name in _FLAGS:
            setattr(self, name, columns[f"{account}_{name}"] == 1)
        for name in (*_NUMBERS, "rank", "read", "cover", "lost_sales"):
            setattr(self, name, columns[f"{account}_{name}"])
        # Made here from the columns, as Side makes them: in `sides`, zero and low would
        # copy the whole of `firing` again and spare `on_hand` and `keep` twice each
        # (~10% of the statement's time at 100k products).
        self.zero, self.low = shortage_flags(self.firing, self.stock)
        self.spare = spare_of(self.listed, self.on_hand, self.keep)


def _side_columns(side: Side, account: str) -> dict[str, ColumnElement[Any]]:
    columns = {f"{account}_{name}": _flag(getattr(side, name)) for name in _FLAGS}
    columns |= {f"{account}_{name}": getattr(side, name) for name in _NUMBERS}
    return columns | {
        f"{account}_rank": side.offer.rank,
        f"{account}_read": side.offer.read_at,
        f"{account}_cover": side.cover_days(),
        f"{account}_lost_sales": side.lost_sales(),
    }


def _sides(rules: Rules, chosen: ColumnElement[bool]) -> Any:
    """Per product `chosen`, both sides under `rules`. Materialised (as their inputs,
    classifier_sides.base_statement): the classification names most of them several
    times, and SQLite would copy each expression in every place."""
    products = select(Product.id, Product.sku, Product.category_key).where(chosen)
    base = base_statement(rules, MainOffer, FbeOffer, products).c
    main = Side(Inputs(base, "main"), base.own, rules)
    fbe = Side(Inputs(base, "fbe"), base.own, rules)
    columns: dict[str, ColumnElement[Any]] = {
        "product_id": base.id,
        "sku": base.sku,
        "category_key": base.category_key,
    }
    columns |= _side_columns(main, "main") | _side_columns(fbe, "fbe")
    return (
        select(*(column.label(name) for name, column in columns.items()))
        .cte("sides")
        .prefix_with("MATERIALIZED")
    )


def _urgent_into(here: _Read, source: _Read) -> ColumnElement[bool]:
    """A zero- or low-stock transfer fires towards `here` (bot.engine.shortages)."""
    return and_(here.firing, here.wanted > 0, source.spare > 0)


def _rebalance_into(here: _Read, source: _Read, rules: Rules) -> ColumnElement[bool]:
    """Scenarios 3 and 4 with `here` as the destination (bot.engine.balance)."""
    # A rebalance moves half the source's stock: it needs 2 to move 1.
    better_rank_less_stock = and_(better_placed(here, source), source.on_hand >= 2)
    idle_source = and_(source.no_competition, source.on_hand > rules.idle_floor)
    return and_(
        may_balance(here, source),
        source.spare >= 1,
        or_(better_rank_less_stock, idle_source),
    )


# Bumped when the classification itself changes, so stored rows made by an older one are
# made again even under the same thresholds.
CLASSIFIER_VERSION = 6


def rules_key(rules: Rules) -> str:
    """Names the thresholds (and the classifier) a stored classification was made with."""
    made_with = f"{CLASSIFIER_VERSION}:{rules.model_dump_json()}"
    return hashlib.sha1(made_with.encode()).hexdigest()[:16]


def status_rows(rules: Rules, chosen: ColumnElement[bool], key: str | None = None) -> Select:
    """Per product `chosen` (a condition on Product), from its offers, under `rules`
    (one category's, or the global ones): everything of the classification but the
    clock. `key` names the whole rule book the row was made under (default: `rules`)."""
    sides = _sides(rules, chosen)
    main, fbe = _Read(sides.c, "main"), _Read(sides.c, "fbe")
    zero = or_(main.zero, fbe.zero)
    low = or_(main.low, fbe.low)
    urgent_transfer = or_(_urgent_into(main, fbe), _urgent_into(fbe, main))
    imbalanced = and_(
        or_(_rebalance_into(main, fbe, rules), _rebalance_into(fbe, main, rules)),
        ~urgent_transfer,
    )
    # Scenario 6: high when no sellable offer has stock, else medium.
    sellable_stock = case((main.sellable, main.stock), else_=0) + case(
        (fbe.sellable, fbe.stock), else_=0
    )
    unsellable = or_(main.unsellable, fbe.unsellable)
    fix_rank = case((and_(unsellable, sellable_stock == 0), 3), (unsellable, 2), else_=0)
    overdue = or_(main.overdue, fbe.overdue)
    lost = or_(main.lost, fbe.lost)
    lost_alone = or_(and_(main.lost, fbe.cannot_sell), and_(fbe.lost, main.cannot_sell))
    until_main, until_fbe = main.sellers_until, fbe.sellers_until
    sellers_until = case(
        (until_main.is_(None), until_fbe),
        (until_fbe.is_(None), until_main),
        (until_main >= until_fbe, until_main),
        else_=until_fbe,
    )
    cover_main, cover_fbe = main.cover, fbe.cover
    cover = case(
        (cover_main.is_(None), cover_fbe),
        (cover_fbe.is_(None), cover_main),
        (cover_main <= cover_fbe, cover_main),
        else_=cover_fbe,
    )
    columns = {
        "product_id": sides.c.product_id,
        "stock_rank": case(
            (zero, 3),
            (fix_rank == 3, 3),
            (lost_alone, 3),
            (low, 2),
            (fix_rank == 2, 2),
            (overdue, 2),
            (lost, 2),
            (imbalanced, 1),
            else_=0,
        ),
        "oldest_due": case(
            (and_(main.listed, fbe.listed, main.due <= fbe.due), main.due),
            (and_(main.listed, fbe.listed), fbe.due),
            (main.listed, main.due),
            (fbe.listed, fbe.due),
            else_=None,
        ),
        "lost_sales": cast(main.lost_sales + fbe.lost_sales, Numeric(16, 4)),
        "sku": sides.c.sku,
        "rules_key": literal(key or rules_key(rules)),
        "category_key": sides.c.category_key,
        "zero": _flag(zero),
        "low": _flag(low),
        "imbalanced": _flag(imbalanced),
        "zero_main": _flag(main.zero),
        "zero_fbe": _flag(fbe.zero),
        "low_main": _flag(main.low),
        "low_fbe": _flag(fbe.low),
        "listed_main": _flag(main.listed),
        "listed_fbe": _flag(fbe.listed),
        "stock_main": main.stock,
        "stock_fbe": fbe.stock,
        "competition_main": _flag(main.competition),
        "competition_fbe": _flag(fbe.competition),
        "rank_main": main.rank,
        "rank_fbe": fbe.rank,
        "due_main": main.due,
        "due_fbe": fbe.due,
        "read_main": main.read,
        "read_fbe": fbe.read,
        "unsellable_main": _flag(main.unsellable),
        "unsellable_fbe": _flag(fbe.unsellable),
        "fix_rank": fix_rank,
        "cover_days": cover,
        "overdue_main": _flag(main.overdue),
        "overdue_fbe": _flag(fbe.overdue),
        "lost_main": _flag(main.lost),
        "lost_fbe": _flag(fbe.lost),
        "sellers_until": sellers_until,
    }
    return select(*(column.label(name) for name, column in columns.items())).select_from(sides)


# The clock as a bind parameter, for statements built once and run many times: they take
# `now_epoch` (epoch_of(now)) when executed instead of a literal baked into the SQL.
NOW_EPOCH = bindparam("now_epoch", type_=BigInteger())
Clock = datetime | BindParameter[int]


def epoch_of(now: datetime) -> int:
    """`now` in whole seconds since 1970, as the stored due times are."""
    return math.floor(now.timestamp())


def _epoch(now: Clock) -> int | BindParameter[int]:
    return now if isinstance(now, BindParameter) else epoch_of(now)


def needs_update(account: str, now: Clock) -> ColumnElement[bool]:
    """The account's offer is listed and its weekly update has fallen due."""
    due = getattr(ProductStatus, f"due_{account}")
    return and_(getattr(ProductStatus, f"listed_{account}") == 1, due <= _epoch(now))


def priority_rank(now: Clock, rules: Rules) -> ColumnElement[int]:
    """3 high .. 0 normal, from the stored classification and the clock (the weekly
    update's due time is stored with each category's weekly_update_days)."""
    return case(
        (ProductStatus.stock_rank > 0, ProductStatus.stock_rank),
        (alerts_by_clock(now), 1),
        else_=0,
    )


def has_priority(rank: int, now: Clock) -> ColumnElement[bool]:
    """priority_rank(now) == rank (3 high, 2 medium, 1 low), tested on the stored columns
    directly: the counts filter on it once per row and priority, and the CASE evaluated
    first cost ~8% of their scan on PostgreSQL."""
    status = ProductStatus
    if rank > 1:
        return status.stock_rank == rank
    return or_(status.stock_rank == 1, and_(status.stock_rank == 0, alerts_by_clock(now)))


def alerts_by_clock(now: Clock) -> ColumnElement[bool]:
    """What makes a product of stock rank 0 alert (low): its weekly update has fallen
    due, or new sellers came to its PNK and the window has not closed."""
    status = ProductStatus
    return or_(status.oldest_due <= _epoch(now), status.sellers_until > _epoch(now))


def classified_products(now: Clock, rules: Rules) -> Select:
    """One row per product: priority rank (3 high .. 0 normal), issue flags, stock.

    Reads the stored classification (keep it current with storage.status) and adds what
    depends on `now`: the weekly update. The rules are those the stored rows were made
    with; nothing here depends on them, so a statement built with NOW_EPOCH serves all.
    """
    status = ProductStatus
    return select(
        *status.__table__.columns,
        priority_rank(now, rules).label("priority_rank"),
        _flag(status.oldest_due <= _epoch(now)).label("needs_update"),
        _flag(needs_update("main", now)).label("update_main"),
        _flag(needs_update("fbe", now)).label("update_fbe"),
        _flag(or_(status.unsellable_main == 1, status.unsellable_fbe == 1)).label("unsellable"),
        _flag(or_(status.overdue_main == 1, status.overdue_fbe == 1)).label("overdue"),
        _flag(or_(status.lost_main == 1, status.lost_fbe == 1)).label("lost"),
        _flag(status.sellers_until > _epoch(now)).label("new_sellers"),
    )
