"""The engine's priority and issues as SQL expressions, for whole-catalogue reads.

`bot.engine.analyze` is the reference; this module restates only what counting and
ordering need (priority, issue flags, lost sales) so that alerts and summaries are a
fixed number of set-based queries. A property test compares the two on random data.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Integer,
    Numeric,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from bot.models import Rules
from storage.models import Offer, Product

MainOffer = aliased(Offer, name="m")
FbeOffer = aliased(Offer, name="f")


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _positive(expression: ColumnElement[int]) -> ColumnElement[int]:
    return case((expression > 0, expression), else_=0)


class _Side:
    """SQL for one account's position, given the other account's offer."""

    def __init__(self, offer: type[Offer], own_active: ColumnElement[int], rules: Rules):
        self.offer = offer
        self.listed = offer.id.is_not(None)
        self.stock = func.coalesce(offer.stock, 0)
        competitors = offer.number_of_offers - own_active
        known = and_(self.listed, offer.number_of_offers.is_not(None))
        self.competition = and_(known, competitors >= 1)
        self.no_competition = and_(known, competitors <= 0)
        self.spare = case(
            (~self.listed, 0),
            (self.competition, _positive(self.stock - rules.source_floor)),
            else_=self.stock,
        )
        self.zero = and_(self.competition, self.stock == 0)
        self.low = and_(self.competition, self.stock >= 1, self.stock < rules.low_stock)

    @staticmethod
    def active(offer: type[Offer]) -> ColumnElement[int]:
        return _flag(
            and_(
                offer.id.is_not(None),
                func.coalesce(offer.stock, 0) > 0,
                func.coalesce(offer.status, 1) == 1,
            )
        )

    def needs_update(self, cutoff: datetime) -> ColumnElement[bool]:
        sent = self.offer.last_sent_at
        return and_(self.listed, or_(sent.is_(None), sent <= cutoff))

    def lost_sales(self) -> ColumnElement[Numeric]:
        return case(
            (
                self.zero,
                func.coalesce(self.offer.sales_velocity, 0)
                * func.coalesce(self.offer.sale_price, 0),
            ),
            else_=literal(0),
        )


def _rebalance_into(here: _Side, source: _Side, rules: Rules) -> ColumnElement[bool]:
    """Scenarios 3 and 4 with `here` as the destination."""
    better_rank_less_stock = and_(
        here.offer.buy_button_rank.is_not(None),
        source.offer.buy_button_rank.is_not(None),
        here.offer.buy_button_rank < source.offer.buy_button_rank,
        here.stock < source.stock,
        source.stock >= 2,
        source.spare >= 1,
    )
    idle_source = and_(source.no_competition, here.competition, source.stock > rules.idle_floor)
    return and_(here.listed, source.listed, or_(better_rank_less_stock, idle_source))


def classified_products(now: datetime, rules: Rules) -> Select:
    """One row per product: its priority rank (3 high .. 0 normal), issue flags and stock."""
    own_active = _Side.active(MainOffer) + _Side.active(FbeOffer)
    main, fbe = _Side(MainOffer, own_active, rules), _Side(FbeOffer, own_active, rules)
    cutoff = now - timedelta(days=rules.weekly_update_days)

    zero = or_(main.zero, fbe.zero)
    low = or_(main.low, fbe.low)
    urgent_transfer = or_(
        and_(or_(main.zero, main.low), fbe.spare > 0),
        and_(or_(fbe.zero, fbe.low), main.spare > 0),
    )
    imbalanced = and_(
        or_(_rebalance_into(main, fbe, rules), _rebalance_into(fbe, main, rules)),
        ~urgent_transfer,
    )
    update = or_(main.needs_update(cutoff), fbe.needs_update(cutoff))
    priority = case((zero, 3), (low, 2), (or_(imbalanced, update), 1), else_=0)
    return (
        select(
            Product.id.label("product_id"),
            Product.sku.label("sku"),
            priority.label("priority_rank"),
            _flag(zero).label("zero"),
            _flag(low).label("low"),
            _flag(update).label("needs_update"),
            _flag(imbalanced).label("imbalanced"),
            cast(main.lost_sales() + fbe.lost_sales(), Numeric(16, 4)).label("lost_sales"),
            main.stock.label("stock_main"),
            fbe.stock.label("stock_fbe"),
            cast(_flag(main.listed), Integer).label("listed_main"),
            cast(_flag(fbe.listed), Integer).label("listed_fbe"),
            _flag(main.competition).label("competition_main"),
            _flag(fbe.competition).label("competition_fbe"),
            _flag(main.zero).label("zero_main"),
            _flag(fbe.zero).label("zero_fbe"),
            _flag(main.low).label("low_main"),
            _flag(fbe.low).label("low_fbe"),
            _flag(main.needs_update(cutoff)).label("update_main"),
            _flag(fbe.needs_update(cutoff)).label("update_fbe"),
            MainOffer.buy_button_rank.label("rank_main"),
            FbeOffer.buy_button_rank.label("rank_fbe"),
        )
        .select_from(Product)
        .outerjoin(MainOffer, and_(MainOffer.product_id == Product.id, MainOffer.account == "main"))
        .outerjoin(FbeOffer, and_(FbeOffer.product_id == Product.id, FbeOffer.account == "fbe"))
    )
