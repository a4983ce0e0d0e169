"""Writes to the snapshot: bulk upserts shared by the demo seed, CSV import and eMAG sync."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from bot.engine.models import ACCOUNTS, OfferSnapshot, ProductSnapshot, Rules, category_key
from storage.db import chunks
from storage.models import Offer, Product, SnapshotRun
from storage.queries import lookup_key
from storage.status import refresh_status
from storage.velocity import apply_units


def _product_ids(session: Session, keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(keys):
        rows = session.execute(
            select(Product.sku_key, Product.id).where(Product.sku_key.in_(chunk))
        )
        found.update({key: id_ for key, id_ in rows})
    return found


def _offer_ids(session: Session, product_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    found: dict[tuple[int, str], int] = {}
    for chunk in chunks(product_ids):
        rows = session.execute(
            select(Offer.product_id, Offer.account, Offer.id).where(Offer.product_id.in_(chunk))
        )
        found.update({(product_id, account): id_ for product_id, account, id_ in rows})
    return found


def upsert_snapshots(
    session: Session, snapshots: Sequence[ProductSnapshot], now: datetime, rules: Rules
) -> dict[str, int]:
    """Insert or update products (by SKU, any case) and their offers (by product, account),
    and reclassify them under `rules`.

    An offer missing from a snapshot is left as it is; returns offers written per account.
    """
    by_key = {lookup_key(snapshot.sku): snapshot for snapshot in snapshots}
    existing = _product_ids(session, list(by_key))
    product_rows = [
        {
            "sku": snapshot.sku.strip(),
            "sku_key": key,
            "pnk": snapshot.pnk.upper() if snapshot.pnk else None,
            "ean": snapshot.ean,
            "name": snapshot.name,
            "category": snapshot.category.strip() if snapshot.category else None,
            "category_key": category_key(snapshot.category) if snapshot.category else None,
            "updated_at": now,
        }
        for key, snapshot in by_key.items()
    ]
    new_rows = [
        {**row, "created_at": now} for row in product_rows if row["sku_key"] not in existing
    ]
    ids = dict(existing)
    if new_rows:
        inserted = session.execute(insert(Product).returning(Product.sku_key, Product.id), new_rows)
        ids.update({key: id_ for key, id_ in inserted})
    # An update keeps what the source did not say (a CSV without pnk keeps the PNK).
    changed = [
        {key: value for key, value in row.items() if value is not None}
        | {"id": existing[row["sku_key"]]}
        for row in product_rows
        if row["sku_key"] in existing
    ]
    if changed:
        session.execute(update(Product), changed)
    offer_ids = _offer_ids(session, [ids[key] for key in existing])
    inserts, updates = [], []
    written = dict.fromkeys(ACCOUNTS, 0)
    sold: dict[tuple[int, str], int | None] = {}
    for key, snapshot in by_key.items():
        for account in ACCOUNTS:
            offer = snapshot.offer(account)
            if offer is None:
                continue
            offer_id = offer_ids.get((ids[key], account))
            # An update writes only the fields the source set (a CSV without an
            # offer_id column keeps the stored eMAG offer id); an insert writes all.
            given = (
                offer.model_fields_set if offer_id is not None else set(OfferSnapshot.model_fields)
            )
            row = offer.model_dump(include=given - {"account", "offer_id", "units_sold_30d"})
            if "offer_id" in given:
                row["emag_offer_id"] = offer.offer_id
            row.update(product_id=ids[key], account=account)
            if row.get("pnk"):
                row["pnk"] = row["pnk"].upper()
            if offer_id is None:
                inserts.append(row)
            else:
                updates.append({**row, "id": offer_id})
            if "units_sold_30d" in offer.model_fields_set:
                sold[(ids[key], account)] = offer.units_sold_30d
            written[account] += 1
    if inserts:
        session.execute(insert(Offer), inserts)
    if updates:
        session.execute(update(Offer), updates)
    if sold:
        # The pace from the units a file gives and the days the offer had stock.
        apply_units(session, sold, now, rules.velocity_days)
    if len(new_rows) + len(inserts) > 1000:
        _refresh_statistics(session)
    refresh_status(session, rules, list(ids.values()))
    return written


def _refresh_statistics(session: Session) -> None:
    # PostgreSQL plans the next lookups on these tables from statistics that a bulk
    # insert leaves stale (seen: a seq scan per IN-list chunk, 53 s at 60k products).
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE products, offers"))


def record_run(
    session: Session,
    account: str,
    source: str,
    started_at: datetime,
    finished_at: datetime,
    offers_count: int,
    status: str = "ok",
    error: str | None = None,
) -> SnapshotRun:
    """Note one refresh of an account's data (or its failure) in the run history."""
    run = SnapshotRun(
        account=account,
        source=source,
        status=status,
        started_at=started_at,
        finished_at=finished_at,
        offers_count=offers_count,
        error=error,
    )
    session.add(run)
    return run
