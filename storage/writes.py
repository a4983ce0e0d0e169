"""Writes to the snapshot: bulk upserts shared by the demo seed, CSV import and eMAG sync."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, text, update
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


_PRODUCT_FIELDS = ("sku", "pnk", "ean", "name", "category", "category_key")


def _product_rows(by_key: dict[str, ProductSnapshot], now: datetime) -> list[dict]:
    return [
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


def _write_products(
    session: Session, by_key: dict[str, ProductSnapshot], now: datetime
) -> tuple[dict[str, int], dict[str, int], int]:
    """Every product's id by SKU key, those that existed before, and how many are new.
    Core executemany throughout: the ORM's bulk paths split a batch into one statement
    per run of rows with the same None columns (37,450 INSERTs per 100k offers)."""
    existing = _product_ids(session, list(by_key))
    rows = _product_rows(by_key, now)
    table = Product.__table__
    new_rows = [{**row, "created_at": now} for row in rows if row["sku_key"] not in existing]
    ids = dict(existing)
    if new_rows:
        returning = insert(table).returning(table.c.sku_key, table.c.id)
        ids.update({key: id_ for key, id_ in session.connection().execute(returning, new_rows)})
    # An update keeps what the source did not say (a CSV without pnk keeps the PNK).
    changed = [
        {**{f"new_{name}": row[name] for name in _PRODUCT_FIELDS}, "at": now, "key_id": ids[key]}
        for row in rows
        if (key := row["sku_key"]) in existing
    ]
    if changed:
        statement = (
            update(table)
            .where(table.c.id == bindparam("key_id"))
            .values(
                updated_at=bindparam("at"),
                **{
                    name: func.coalesce(bindparam(f"new_{name}"), table.c[name])
                    for name in _PRODUCT_FIELDS
                },
            )
        )
        session.connection().execute(statement, changed)
    return ids, existing, len(new_rows)


def _write_offer_updates(session: Session, updates: list[dict]) -> None:
    """One executemany per set of columns given (a file's rows all give the same)."""
    table = Offer.__table__
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row in updates:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for names, rows in groups.items():
        values = {name: bindparam(f"new_{name}") for name in names if name != "id"}
        statement = update(table).where(table.c.id == bindparam("key_id")).values(**values)
        session.connection().execute(
            statement,
            [{"key_id": row["id"], **{f"new_{k}": v for k, v in row.items()}} for row in rows],
        )


def upsert_snapshots(
    session: Session, snapshots: Sequence[ProductSnapshot], now: datetime, rules: Rules
) -> dict[str, int]:
    """Insert or update products (by SKU, any case) and their offers (by product, account),
    and reclassify them under `rules`.

    An offer missing from a snapshot is left as it is; returns offers written per account.
    """
    by_key = {lookup_key(snapshot.sku): snapshot for snapshot in snapshots}
    ids, existing, new_products = _write_products(session, by_key, now)
    offer_ids = _offer_ids(session, [ids[key] for key in existing])
    inserts, updates = [], []
    written = dict.fromkeys(ACCOUNTS, 0)
    sold: dict[tuple[int, str], int | None] = {}
    every_field = set(OfferSnapshot.model_fields) - {"account", "offer_id", "units_sold_30d"}
    for key, snapshot in by_key.items():
        for account in ACCOUNTS:
            offer = snapshot.offer(account)
            if offer is None:
                continue
            offer_id = offer_ids.get((ids[key], account))
            # An update writes only the fields the source set (a CSV without an
            # offer_id column keeps the stored eMAG offer id); an insert writes all.
            if offer_id is None:
                row = offer.model_dump(include=every_field)
                row["emag_offer_id"] = offer.offer_id
            else:
                row = offer.model_dump(include=offer.model_fields_set & every_field)
                if "offer_id" in offer.model_fields_set:
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
        session.connection().execute(insert(Offer.__table__), inserts)
    if updates:
        _write_offer_updates(session, updates)
    if sold:
        # The pace from the units a file gives and the days the offer had stock.
        apply_units(session, sold, now, rules.velocity_days)
    if new_products + len(inserts) > 1000:
        refresh_statistics(session)
    refresh_status(session, rules, list(ids.values()))
    return written


def refresh_statistics(session: Session) -> None:
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
