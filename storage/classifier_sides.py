"""One account's position as SQL, mirroring `bot.engine.competition` and
`bot.engine.demand`: sellable, competition, keep and spare, need, shortage and loss.

`storage.classifier` combines two sides (MAIN, FBE) into a product's classification; the
property test `tests/storage/test_classifier_matches_engine.py` keeps both in step.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from bot.engine.competition import APPROVED_DOCUMENTATION
from bot.engine.demand import CEIL_EPSILON
from bot.engine.models import Rules
from storage.models import Offer, Product


class _OnEveryBackend(FunctionElement[Any]):
    """A SQL function written `default` on PostgreSQL and `sqlite` on SQLite, where
    {0} stands for its arguments."""

    inherit_cache = True
    default: ClassVar[str] = ""
    sqlite: ClassVar[str] = ""


@compiles(_OnEveryBackend)
def _compile_default(element: _OnEveryBackend, compiler: Any, **kw: Any) -> str:
    return element.default.format(compiler.process(element.clauses, **kw))


@compiles(_OnEveryBackend, "sqlite")
def _compile_sqlite(element: _OnEveryBackend, compiler: Any, **kw: Any) -> str:
    return element.sqlite.format(compiler.process(element.clauses, **kw))


class ceil_units(_OnEveryBackend):
    """CEIL of a non-negative number (SQLite has no CEIL built in)."""

    type = Integer()
    inherit_cache = True
    default = "CAST(CEIL({0}) AS INTEGER)"
    # CAST truncates towards zero; a value with a fraction takes one more.
    sqlite = "(CAST(({0}) AS INTEGER) + (({0}) > CAST(({0}) AS INTEGER)))"


class epoch_seconds(_OnEveryBackend):
    """Whole seconds since 1970 of a UTC timestamp."""

    type = BigInteger()
    inherit_cache = True
    default = "CAST(FLOOR(EXTRACT(EPOCH FROM {0})) AS BIGINT)"
    # Stored as naive UTC text: strftime('%s') reads it as UTC.
    sqlite = "CAST(strftime('%s', {0}) AS INTEGER)"


class least(_OnEveryBackend):
    """The smallest of its (never NULL) arguments."""

    inherit_cache = True
    default = "LEAST({0})"
    sqlite = "MIN({0})"


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def positive(expression: ColumnElement[int]) -> ColumnElement[int]:
    return case((expression > 0, expression), else_=0)


def units_for(pace: ColumnElement[Any], days: int | ColumnElement[int]) -> ColumnElement[int]:
    """bot.engine.demand.units_for: the units `days` (a number or SQL) of sales at
    `pace` take."""
    return positive(ceil_units(pace * days - literal(CEIL_EPSILON)))


def sellable(offer: type[Offer]) -> ColumnElement[bool]:
    """Listed, and nothing eMAG says stops it selling (bot.engine.competition)."""
    return and_(
        offer.id.is_not(None),
        func.coalesce(offer.status, 1) == 1,
        func.coalesce(offer.offer_validation, 1) == 1,
        or_(
            offer.doc_validation.is_(None),
            offer.doc_validation.in_(sorted(APPROVED_DOCUMENTATION)),
        ),
    )


def own_active(offer: type[Offer]) -> ColumnElement[int]:
    """1 when this offer of ours is on sale (counted in eMAG's number_of_offers)."""
    return flag(and_(sellable(offer), func.coalesce(offer.stock, 0) > 0))


# One account's inputs to a Side, worked out once per product in the `base` statement:
# conditions (as 1/0) and values, each column named `{account}_{name}`.
_INPUT_FLAGS = ("listed", "sellable")
_INPUT_VALUES = ("stock", "transit", "outgoing", "overdue_transit", "offers", "pace", "cover")
_INPUT_VALUES += ("rank", "lost_at", "sellers_before", "rose_at", "sent_at", "read_at")
_INPUT_VALUES += ("price", "lead")


def _inputs(offer: type[Offer], rules: Rules) -> dict[str, ColumnElement[Any]]:
    return {
        "listed": flag(offer.id.is_not(None)),
        "sellable": flag(sellable(offer)),
        "stock": func.coalesce(offer.stock, 0),
        "transit": func.coalesce(offer.in_transit, 0),
        "outgoing": func.coalesce(offer.outgoing_transit, 0),
        "overdue_transit": func.coalesce(offer.overdue_transit, 0),
        "offers": offer.number_of_offers,
        "pace": offer.sales_velocity,
        "cover": units_for(offer.sales_velocity, rules.cover_days),
        "rank": offer.buy_button_rank,
        "lost_at": offer.buy_button_lost_at,
        "sellers_before": offer.sellers_before,
        "rose_at": offer.sellers_rose_at,
        "sent_at": offer.last_sent_at,
        "read_at": offer.last_read_at,
        "price": offer.sale_price,
        "lead": offer.supply_lead_time,
    }


def base_statement(rules: Rules, main: type[Offer], fbe: type[Offer], products: Select[Any]) -> Any:
    """Both accounts' inputs per product of `products` (a SELECT from Product, its
    conditions given, joined to nothing yet), with `own`: our offers on sale.
    Materialised: each Side names them many times, and SQLite would copy each
    expression into every place (the classification took 16 µs a product so)."""
    columns: dict[str, ColumnElement[Any]] = {"own": own_active(main) + own_active(fbe)}
    for account, offer in (("main", main), ("fbe", fbe)):
        columns |= {f"{account}_{name}": value for name, value in _inputs(offer, rules).items()}
    return (
        products.add_columns(*(column.label(name) for name, column in columns.items()))
        .outerjoin(main, and_(main.product_id == Product.id, main.account == "main"))
        .outerjoin(fbe, and_(fbe.product_id == Product.id, fbe.account == "fbe"))
        .cte("base")
        .prefix_with("MATERIALIZED")
    )


class Inputs:
    """One account's inputs as the columns of the `base` statement."""

    def __init__(self, columns: Any, account: str) -> None:
        for name in _INPUT_FLAGS:
            setattr(self, name, columns[f"{account}_{name}"] == 1)
        for name in _INPUT_VALUES:
            setattr(self, name, columns[f"{account}_{name}"])


class Side:
    """SQL for one account's position from its inputs; `own` counts our offers on sale."""

    def __init__(self, offer: Inputs, own: ColumnElement[int], rules: Rules):
        self.offer = offer
        self.rank = offer.rank
        self.listed = offer.listed
        self.sellable = offer.sellable
        self.unsellable = and_(self.listed, ~self.sellable)
        self.stock = offer.stock
        self.transit = offer.transit
        # bot.engine.competition.Position.on_hand: the stock less what it has sent.
        self.on_hand = positive(self.stock - offer.outgoing)
        self.overdue = and_(self.listed, offer.overdue_transit > 0)
        competitors = offer.offers - own
        known = and_(self.listed, offer.offers.is_not(None))
        self.competition = and_(known, competitors >= 1)
        self.no_competition = and_(known, competitors <= 0)
        self.pace = offer.pace
        self.pace_known = and_(self.listed, offer.pace.is_not(None))
        cover = offer.cover
        floor = max(rules.source_floor, rules.low_stock)
        base = case((self.no_competition, 0), else_=floor)
        self.keep = case(
            (~self.sellable, 0),
            (and_(self.pace_known, cover > base), cover),
            else_=base,
        )
        self.spare = spare_of(self.listed, self.on_hand, self.keep)
        target = case((cover > rules.low_stock, cover), else_=rules.low_stock)
        # bot.engine.demand.need; only meaningful where the pace is known.
        self.need = target - self.stock - self.transit
        self.short = and_(self.sellable, self.competition, self.stock < rules.low_stock)
        covered = and_(
            self.transit > 0,
            or_(
                and_(self.pace_known, self.need <= 0),
                and_(~self.pace_known, self.transit >= rules.transfer_cap),
            ),
        )
        self.firing = and_(self.short, ~covered)
        self.zero, self.low = shortage_flags(self.firing, self.stock)
        # The units a transfer towards this side may bring, before the source's spare.
        self.wanted = case((self.pace_known, self.need), else_=rules.transfer_cap - self.transit)
        self.losing = and_(
            self.listed, or_(~self.sellable, and_(self.competition, self.stock == 0))
        )
        # The competitor watch (bot.engine.competition_watch).
        self.lost = and_(
            self.sellable,
            self.stock > 0,
            offer.lost_at.is_not(None),
            func.coalesce(offer.rank, 0) != 1,
        )
        self.cannot_sell = or_(~self.sellable, self.stock <= 0)
        risen = and_(
            known,
            offer.sellers_before.is_not(None),
            offer.rose_at.is_not(None),
            competitors > offer.sellers_before,
        )
        self.sellers_until = case(
            (risen, epoch_seconds(offer.rose_at) + rules.new_seller_hours * 3600),
            else_=null(),
        )
        # When the weekly update falls due (never sent: long ago), in epoch seconds.
        sent = func.coalesce(epoch_seconds(offer.sent_at), 0)
        self.due = case((self.listed, sent + rules.weekly_update_days * 86400), else_=null())

    def cover_days(self) -> ColumnElement[Any]:
        """Days the stock lasts at the account's pace; NULL when unknown or no sales."""
        return case(
            (and_(self.listed, self.pace > 0), cast(self.stock, Float) / self.pace),
            else_=null(),
        )

    def lost_sales(self) -> ColumnElement[Any]:
        """bot.engine.demand.lost_sales_per_day, unknown counted as 0 in a sum."""
        return case(
            (
                self.losing,
                func.coalesce(self.pace, 0) * func.coalesce(self.offer.price, 0),
            ),
            else_=literal(0),
        )


def spare_of(listed: Any, on_hand: Any, keep: Any) -> ColumnElement[int]:
    """What a side can give (bot.engine.demand.spare): its stock on hand
    beyond what it keeps; nothing where it is not listed. Of a Side's expressions, or
    of their columns read back (storage.classifier)."""
    return case((~listed, 0), else_=positive(on_hand - keep))


def shortage_flags(firing: Any, stock: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """A firing shortage at zero stock, and at low stock (scenarios 1 and 2)."""
    return and_(firing, stock == 0), and_(firing, stock >= 1)


def may_balance(here: Any, source: Any) -> ColumnElement[bool]:
    """Scenarios 3 and 4 may move stock from `source` into `here` (bot.engine.balance):
    `here` sells and competes and lacks cover (or its sales are unknown), `source` is
    listed. `here` and `source` are Sides, or their columns read back by name
    (storage.plan_lines)."""
    return and_(
        here.sellable, here.competition, source.listed, or_(~here.pace_known, here.need > 0)
    )


def better_placed(here: Any, source: Any) -> ColumnElement[bool]:
    """Scenario 3's test: `here` holds the better buy-button rank with less stock."""
    return and_(
        here.rank.is_not(None),
        source.rank.is_not(None),
        here.rank < source.rank,
        here.on_hand < source.on_hand,
    )
