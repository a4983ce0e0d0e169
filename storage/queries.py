"""Set-based reads: product lookups, snapshot loading, alert pages and catalogue counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from bot.engine.models import OfferSnapshot, ProductSnapshot, Rules
from storage.classifier import FbeOffer, MainOffer, classified_products
from storage.db import chunks
from storage.models import Offer, Product, SnapshotRun, Snooze

_OFFER_FIELDS = (
    "emag_offer_id",
    "pnk",
    "stock",
    "general_stock",
    "estimated_stock",
    "number_of_offers",
    "buy_button_rank",
    "sale_price",
    "status",
    "offer_validation",
    "offer_validation_text",
    "doc_validation",
    "doc_validation_text",
    "supply_lead_time",
    "sales_velocity",
    "last_read_at",
    "last_sent_at",
    "in_transit",
    "in_transit_since",
    "overdue_transit",
    "overdue_since",
)


def lookup_key(text: str) -> str:
    """How SKUs, PNKs and EANs are compared: trimmed, upper-cased."""
    return text.strip().upper()


def _offer_snapshot(account: str, offer: Offer | None) -> OfferSnapshot | None:
    if offer is None:
        return None
    values = {field: getattr(offer, field) for field in _OFFER_FIELDS}
    values["offer_id"] = values.pop("emag_offer_id")
    return OfferSnapshot(account=account, **values)


def _product_snapshot(
    product: Product, main: Offer | None, fbe: Offer | None, snooze: Snooze | None = None
) -> ProductSnapshot:
    return ProductSnapshot(
        sku=product.sku,
        pnk=product.pnk,
        ean=product.ean,
        name=product.name,
        category=product.category,
        main=_offer_snapshot("main", main),
        fbe=_offer_snapshot("fbe", fbe),
        snoozed_until=snooze.until if snooze else None,
        snoozed_by=snooze.created_by if snooze else None,
    )


def _snapshot_select():  # type: ignore[no-untyped-def]
    # An ended snooze still has its row until it is replaced or cleared: the reader
    # leaves it out by its date (see _live).
    return (
        select(Product, MainOffer, FbeOffer, Snooze)
        .outerjoin(MainOffer, and_(MainOffer.product_id == Product.id, MainOffer.account == "main"))
        .outerjoin(FbeOffer, and_(FbeOffer.product_id == Product.id, FbeOffer.account == "fbe"))
        .outerjoin(Snooze, Snooze.product_id == Product.id)
    )


@dataclass
class Lookup:
    """Products found by SKU, PNK or EAN; `ambiguous` holds the PNKs/EANs (not SKUs) that
    name more than one product, with those products' SKUs."""

    found: dict[str, ProductSnapshot]
    ambiguous: dict[str, list[str]]


def _live(snooze: Snooze | None, now: datetime | None) -> Snooze | None:
    return snooze if snooze is not None and (now is None or snooze.until > now) else None


def find_snapshots(session: Session, keys: Sequence[str], now: datetime | None = None) -> Lookup:
    """Products for `keys` (SKU, else PNK, else EAN), keyed by the lookup key; one query."""
    wanted = {lookup_key(key) for key in keys if key.strip()}
    if not wanted:
        return Lookup({}, {})
    rows = session.execute(
        _snapshot_select()
        .where(or_(Product.sku_key.in_(wanted), Product.pnk.in_(wanted), Product.ean.in_(wanted)))
        .order_by(Product.sku_key)
    ).all()
    by_sku: dict[str, ProductSnapshot] = {}
    by_pnk: dict[str, list[ProductSnapshot]] = {}
    by_ean: dict[str, list[ProductSnapshot]] = {}
    for product, main, fbe, snooze in rows:
        snapshot = _product_snapshot(product, main, fbe, _live(snooze, now))
        by_sku[product.sku_key] = snapshot
        if product.pnk:
            by_pnk.setdefault(product.pnk.upper(), []).append(snapshot)
        if product.ean:
            by_ean.setdefault(product.ean.upper(), []).append(snapshot)
    lookup = Lookup({}, {})
    for key in wanted:
        if key in by_sku:
            lookup.found[key] = by_sku[key]
            continue
        matches = by_pnk.get(key) or by_ean.get(key) or []
        if len(matches) == 1:
            lookup.found[key] = matches[0]
        elif matches:
            lookup.ambiguous[key] = [snapshot.sku for snapshot in matches]
    return lookup


def snapshots_by_ids(
    session: Session, product_ids: Iterable[int], now: datetime | None = None
) -> dict[int, ProductSnapshot]:
    """Snapshots of the given products, keyed by product id; one query per 5000 ids."""
    found = {}
    for ids in chunks(product_ids):
        rows = session.execute(_snapshot_select().where(Product.id.in_(ids))).all()
        found.update(
            {
                product.id: _product_snapshot(product, main, fbe, _live(snooze, now))
                for product, main, fbe, snooze in rows
            }
        )
    return found


def alert_page(
    session: Session,
    now: datetime,
    rules: Rules,
    limit: int | None,
    category: str | None = None,
) -> list[Row[Any]]:
    """The most urgent alerting products (all when `limit` is None; of one category, by
    its key, when given): priority, then estimated lost sales, then SKU."""
    classified = classified_products(now, rules).subquery()
    statement = (
        select(classified)
        .where(classified.c.priority_rank > 0)
        .order_by(
            classified.c.priority_rank.desc(),
            classified.c.lost_sales.desc(),
            classified.c.sku,
        )
    )
    if category is not None:
        statement = statement.where(classified.c.category_key == category)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.execute(statement).all())


def skus_by_ids(session: Session, product_ids: Iterable[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for ids in chunks(product_ids):
        query = select(Product.id, Product.sku).where(Product.id.in_(ids))
        found.update(dict(session.execute(query).all()))
    return found


def last_runs(session: Session) -> dict[str, SnapshotRun]:
    """The newest snapshot run per account, whatever its outcome."""
    newest = (
        select(SnapshotRun.account, func.max(SnapshotRun.id).label("id"))
        .group_by(SnapshotRun.account)
        .subquery()
    )
    runs = session.scalars(select(SnapshotRun).join(newest, SnapshotRun.id == newest.c.id))
    return {run.account: run for run in runs}


SORTS = ("priority", "lost", "cover")


def status_page(
    session: Session,
    now: datetime,
    rules: Rules,
    priority_rank: int | None,
    offset: int,
    limit: int,
    sort: str = "priority",
    category: str | None = None,
) -> tuple[list[Row[Any]], int]:
    """One page of products (all, of one priority rank, of one category by its key) and
    how many there are in all: most urgent first, or by lost sales (most first), or by
    days of cover (fewest first, unknown last)."""
    classified = classified_products(now, rules).subquery()
    statement = select(classified)
    counted = select(func.count()).select_from(classified)
    if category is not None:
        statement = statement.where(classified.c.category_key == category)
        counted = counted.where(classified.c.category_key == category)
    if priority_rank is not None:
        statement = statement.where(classified.c.priority_rank == priority_rank)
        counted = counted.where(classified.c.priority_rank == priority_rank)
    c = classified.c
    order = {
        "priority": (c.priority_rank.desc(), c.lost_sales.desc(), c.sku),
        "lost": (c.lost_sales.desc(), c.priority_rank.desc(), c.sku),
        "cover": (c.cover_days.is_(None), c.cover_days, c.priority_rank.desc(), c.sku),
    }[sort]
    rows = session.execute(statement.order_by(*order).offset(offset).limit(limit)).all()
    return list(rows), session.scalar(counted) or 0


@dataclass(frozen=True, slots=True)
class PnkMismatch:
    sku: str
    main_pnk: str | None
    fbe_pnk: str | None


def pnk_mismatches(session: Session) -> list[PnkMismatch]:
    """Products whose MAIN and FBE offers report different PNKs (both known)."""
    main, fbe = aliased(Offer), aliased(Offer)
    rows = session.execute(
        select(Product.sku, main.pnk, fbe.pnk)
        .join(main, (main.product_id == Product.id) & (main.account == "main"))
        .join(fbe, (fbe.product_id == Product.id) & (fbe.account == "fbe"))
        .where(main.pnk.is_not(None), fbe.pnk.is_not(None), main.pnk != fbe.pnk)
        .order_by(Product.sku_key)
    )
    return [PnkMismatch(sku, main_pnk, fbe_pnk) for sku, main_pnk, fbe_pnk in rows]


def snapshot_sources(session: Session) -> list[str]:
    """Where the catalogue's data came from: demo, csv, emag."""
    return sorted(session.scalars(select(SnapshotRun.source).distinct()))
