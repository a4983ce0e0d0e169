"""Set-based reads: product lookups, snapshot loading, alert pages and catalogue counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from bot.engine.models import ProductSnapshot, Rules
from storage import snapshot_rows
from storage.classifier import NOW_EPOCH, alerts_by_clock, classified_products, epoch_of
from storage.db import chunks
from storage.models import Offer, Product, ProductStatus, SnapshotRun


def lookup_key(text: str) -> str:
    """How SKUs, PNKs and EANs are compared: trimmed, upper-cased."""
    return text.strip().upper()


@dataclass
class Lookup:
    """Products found by SKU, PNK or EAN; `ambiguous` holds the PNKs/EANs (not SKUs) that
    name more than one product, with those products' SKUs."""

    found: dict[str, ProductSnapshot]
    ambiguous: dict[str, list[str]]


def find_snapshots(
    session: Session | Connection, keys: Sequence[str], now: datetime | None = None
) -> Lookup:
    """Products for `keys` (SKU, else PNK, else EAN), keyed by the lookup key; one query.
    A bare connection will do: a lookup needs no session."""
    wanted = {lookup_key(key) for key in keys if key.strip()}
    if not wanted:
        return Lookup({}, {})
    by_sku: dict[str, ProductSnapshot] = {}
    by_pnk: dict[str, list[ProductSnapshot]] = {}
    by_ean: dict[str, list[ProductSnapshot]] = {}
    if len(wanted) == 1:
        rows = session.execute(snapshot_rows.BY_KEY, {"key": next(iter(wanted))})
    else:
        rows = session.execute(snapshot_rows.BY_KEYS, {"keys": sorted(wanted)})
    for row in rows:
        snapshot = snapshot_rows.to_snapshot(row, now)
        by_sku[row.sku_key] = snapshot
        if row.pnk:
            by_pnk.setdefault(row.pnk.upper(), []).append(snapshot)
        if row.ean:
            by_ean.setdefault(row.ean.upper(), []).append(snapshot)
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
        for row in session.execute(snapshot_rows.BY_IDS, {"ids": ids}):
            found[row.id] = snapshot_rows.to_snapshot(row, now)
    return found


_LIMIT = bindparam("page_limit", type_=Integer())
_CATEGORY = bindparam("category", type_=String())


def _ranked(stock_rank: int, limited: bool, by_category: bool) -> Select:
    """The alerting products of one stored stock rank in page order: a walk of
    ix_product_status_alert_order that stops after :page_limit, no sort. Only what the
    page is ordered by and the product's id: a page row of every stored column read (and
    a statement of 23 kB for PostgreSQL to parse and plan on every call) for the id alone
    cost a third of the page's time (issue 18)."""
    # The priority as storage.classifier.priority_rank gives it, known here by the rank:
    # above 0 it is the stock rank; 0 alerts, as low, only by the clock.
    status = ProductStatus
    statement = select(
        status.product_id,
        literal(stock_rank or 1, Integer()).label("priority_rank"),
        status.lost_sales,
        status.sku,
    ).where(status.stock_rank == stock_rank)
    if stock_rank == 0:
        statement = statement.where(alerts_by_clock(NOW_EPOCH))
    if by_category:
        statement = statement.where(status.category_key == _CATEGORY)
    statement = statement.order_by(status.lost_sales.desc(), status.sku)
    return statement.limit(_LIMIT) if limited else statement


@cache
def _alert_statement(limited: bool, by_category: bool) -> Select:
    """Built once per shape: building it (and its cache key) cost more than running it."""
    parts = [_ranked(rank, limited, by_category) for rank in (3, 2, 1, 0)]
    merged = union_all(*(select(part.subquery()) for part in parts)).subquery()
    statement = select(merged).order_by(
        merged.c.priority_rank.desc(), merged.c.lost_sales.desc(), merged.c.sku
    )
    return statement.limit(_LIMIT) if limited else statement


def alert_page(
    session: Session,
    now: datetime,
    rules: Rules,
    limit: int | None,
    category: str | None = None,
) -> list[Row[Any]]:
    """The most urgent alerting products (all when `limit` is None; of one category, by
    its key, when given): priority, then estimated lost sales, then SKU; classified under
    `rules` (storage.status).

    One query: the first `limit` of each stored stock rank (above 0 it is the priority; 0
    is low once the weekly update falls due), each read in index order, then those few
    sorted. Sorting the whole catalogue on the computed priority cost a second full scan
    (issue 18)."""
    statement = _alert_statement(limit is not None, category is not None)
    values = {"now_epoch": epoch_of(now), "page_limit": limit, "category": category}
    return list(session.execute(statement, values).all())


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
