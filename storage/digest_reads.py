"""The digest's reads and its baseline write, set-based, so its memory stays flat in the
catalogue's size: the current alerts compared in SQL with the last sent digest's items
and the live snoozes (`bot.jobs.digest_plan.compare` is the reference, restated here),
one aggregate of each kind of change, the most urgent new or worse alerts with only the
columns the digest shows, and the alerts the next digest compares with written from a
select."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Subquery,
    and_,
    case,
    func,
    insert,
    literal,
    null,
    select,
)
from sqlalchemy.orm import Session, aliased

from bot.engine.models import PRIORITY_RANK, OfferSnapshot, Priority, ProductSnapshot, Rules
from storage.classifier import FbeOffer, MainOffer, classified_products, priority_rank
from storage.db import chunks
from storage.models import DigestItem, Product, ProductStatus, Snooze

# The classification's flags and the issue each one names, in the engine's order.
ISSUES = (
    ("zero", "zero_stock_with_competition"),
    ("low", "low_stock_with_competition"),
    ("needs_update", "needs_weekly_update"),
    ("imbalanced", "imbalanced"),
    ("unsellable", "unsellable_offer"),
    ("overdue", "transfer_not_arrived"),
    ("lost", "buy_button_lost"),
    ("new_sellers", "new_seller"),
)
_ALERTING = {name: rank for name, rank in PRIORITY_RANK.items() if rank > 0}
# What a snapshot reads of an offer: every field but the ones no column holds.
_OFFER_COLUMNS = [
    name for name in OfferSnapshot.model_fields if name not in ("account", "units_sold_30d")
]


def _rank_of(priority: ColumnElement[str]) -> ColumnElement[int]:
    return case(*((priority == name, rank) for name, rank in _ALERTING.items()), else_=0)


def _priority(rank: ColumnElement[int]) -> ColumnElement[str]:
    return case(*((rank == value, name) for name, value in _ALERTING.items()))


def _issues(c: Any) -> ColumnElement[str]:
    """The alert's issues joined by commas, as the baseline stores them."""
    joined = literal("")
    for flag, issue in ISSUES:
        joined = joined + case((getattr(c, flag) == 1, issue + ","), else_="")
    return func.rtrim(joined, ",")


def changes(now: datetime, rules: Rules, previous: int | None) -> Subquery:
    """Every alerting product with its `change` against the digest `previous` (None: no
    digest yet) and the live snoozes: snoozed (left out: not worse than when snoozed),
    new, worse or unchanged; with what the baseline keeps of it."""
    c = classified_products(now, rules).subquery()
    base = aliased(DigestItem)
    snoozed = and_(
        Snooze.product_id.is_not(None), c.c.priority_rank <= _rank_of(Snooze.priority_at_snooze)
    )
    if previous:
        earlier: ColumnElement[Any] = base.message_ts
        change = case(
            (snoozed, "snoozed"),
            (base.product_id.is_(None), "new"),
            (c.c.priority_rank > _rank_of(base.priority), "worse"),
            else_="unchanged",
        )
    else:  # no digest yet: nothing to join (an ON that is false still loops over it)
        earlier, change = null(), case((snoozed, "snoozed"), else_="new")
    statement = select(
        c.c.product_id,
        c.c.sku,
        c.c.priority_rank,
        c.c.lost_sales,
        *(c.c[flag] for flag, _issue in ISSUES),
        earlier.label("earlier_ts"),
        change.label("change"),
    ).select_from(c)
    if previous:
        statement = statement.outerjoin(
            base, and_(base.digest_id == previous, base.product_id == c.c.product_id)
        )
    return (
        statement.outerjoin(Snooze, and_(Snooze.product_id == c.c.product_id, Snooze.until > now))
        .where(c.c.priority_rank > 0)
        .subquery()
    )


def alerting(now: datetime, rules: Rules) -> Callable[[Any], ColumnElement[bool]]:
    """Whether a product (by its id column) alerts now: one indexed lookup each."""

    def condition(product_id: Any) -> ColumnElement[bool]:
        status = select(ProductStatus.product_id).where(
            ProductStatus.product_id == product_id, priority_rank(now, rules) > 0
        )
        return status.exists()

    return condition


def change_counts(
    session: Session, now: datetime, rules: Rules, previous: int | None
) -> dict[str, int]:
    """How many alerts are snoozed (left out) and unchanged, from the live snoozes and the
    last digest's items with their products' classification: no scan of the catalogue
    (the new and worse ones are counted with the most urgent, `most_urgent`)."""
    rank = priority_rank(now, rules)
    status = ProductStatus.product_id
    snoozed = session.scalar(
        select(func.count())
        .select_from(Snooze)
        .join(ProductStatus, status == Snooze.product_id)
        .where(Snooze.until > now, rank > 0, rank <= _rank_of(Snooze.priority_at_snooze))
    )
    unchanged = 0
    if previous:
        live = and_(Snooze.product_id == DigestItem.product_id, Snooze.until > now)
        unchanged = session.scalar(
            select(func.count())
            .select_from(DigestItem)
            .join(ProductStatus, status == DigestItem.product_id)
            .outerjoin(Snooze, live)
            .where(
                DigestItem.digest_id == previous,
                rank > 0,
                rank <= _rank_of(DigestItem.priority),
                # Not snoozed: no live snooze (its rank is then 0), or worse than it.
                rank > _rank_of(Snooze.priority_at_snooze),
            )
        )
    return {"snoozed": snoozed or 0, "unchanged": unchanged or 0}


@dataclass(frozen=True, slots=True)
class Shown:
    """A new or worse alert the digest shows."""

    product_id: int
    sku: str
    priority: Priority
    change: str
    issues: str
    lost_sales: Decimal
    earlier_ts: str | None


def most_urgent(session: Session, alerts: Subquery, limit: int) -> tuple[list[Shown], int]:
    """The `limit` most urgent new or worse alerts (priority, lost sales, then SKU) and
    how many there are in all, in the same pass; sorted narrow, then worded."""
    a = alerts.c
    top = (
        select(alerts, func.count().over().label("changed"))
        .where(a.change.in_(("new", "worse")))
        .order_by(a.priority_rank.desc(), a.lost_sales.desc(), a.sku)
        .limit(limit)
        .subquery()
    )
    t = top.c
    rows = session.execute(
        select(
            t.product_id,
            t.sku,
            _priority(t.priority_rank),
            t.change,
            _issues(t),
            t.lost_sales,
            t.earlier_ts,
            t.changed,
        ).order_by(t.priority_rank.desc(), t.lost_sales.desc(), t.sku)
    ).all()
    return [Shown(*row[:-1]) for row in rows], rows[0].changed if rows else 0


def keep_unchanged(session: Session, alerts: Subquery, digest_id: int) -> None:
    """The unchanged alerts into the digest's baseline, still pointing at the message
    that showed them: one INSERT ... SELECT."""
    a = alerts.c
    kept = select(
        literal(digest_id),
        a.product_id,
        _priority(a.priority_rank),
        _issues(a),
        null(),
        a.earlier_ts,
    )
    columns = ["digest_id", "product_id", "priority", "issues", "part", "message_ts"]
    session.execute(insert(DigestItem).from_select(columns, kept.where(a.change == "unchanged")))


def resolved_skus(session: Session, previous: int, alerts: Subquery) -> list[str]:
    """The SKUs the digest `previous` reported that alert no more, in product order."""
    return list(
        session.scalars(
            select(Product.sku)
            .join(DigestItem, DigestItem.product_id == Product.id)
            .where(
                DigestItem.digest_id == previous,
                DigestItem.product_id.not_in(select(alerts.c.product_id)),
            )
            .order_by(DigestItem.product_id)
        )
    )


def snapshots(
    session: Session, product_ids: Sequence[int], now: datetime
) -> dict[int, ProductSnapshot]:
    """The shown products' snapshots (live snoozes only), from the columns they need."""
    offers = {"main": MainOffer, "fbe": FbeOffer}
    columns = [Product.id, Product.sku, Product.pnk, Product.ean, Product.name, Product.category]
    for account, offer in offers.items():
        columns.append(offer.id.label(f"{account}_row"))
        columns += [
            getattr(offer, "emag_offer_id" if name == "offer_id" else name).label(
                f"{account}_{name}"
            )
            for name in _OFFER_COLUMNS
        ]
    columns += [Snooze.until, Snooze.created_by]
    statement = (
        select(*columns)
        .outerjoin(MainOffer, and_(MainOffer.product_id == Product.id, MainOffer.account == "main"))
        .outerjoin(FbeOffer, and_(FbeOffer.product_id == Product.id, FbeOffer.account == "fbe"))
        .outerjoin(Snooze, and_(Snooze.product_id == Product.id, Snooze.until > now))
    )
    found = {}
    for ids in chunks(product_ids):
        for row in session.execute(statement.where(Product.id.in_(ids))).mappings():
            sides = {
                account: OfferSnapshot(
                    account=account,  # type: ignore[arg-type]
                    **{name: row[f"{account}_{name}"] for name in _OFFER_COLUMNS},
                )
                if row[f"{account}_row"] is not None
                else None
                for account in offers
            }
            found[row["id"]] = ProductSnapshot(
                sku=row["sku"],
                pnk=row["pnk"],
                ean=row["ean"],
                name=row["name"],
                category=row["category"],
                snoozed_until=row["until"],
                snoozed_by=row["created_by"],
                **sides,
            )
    return found
