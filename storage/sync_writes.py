"""Writes for the eMAG sync: one account's offers replaced chunk by chunk.

The sync replaces one account's data inside a single transaction that the caller owns:

    mark_account_unread(session, account)        # every stored offer of it: last_read_at NULL
    upsert_account_chunk(session, account, ...)  # per chunk: read offers get last_read_at=now
    remove_unread_offers(session, account)       # what the read did not return is deleted
    apply_velocities(session, account, ...)     # storage.velocity

Unlike `storage.writes.upsert_snapshots`, these never touch `last_sent_at` (only a
successful write to eMAG sets it) nor the other account's offer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from bot.engine.models import Account, OfferSnapshot, ProductSnapshot, Rules, category_key
from storage.db import chunks
from storage.models import EmagCategory, Offer, Product
from storage.queries import lookup_key
from storage.status import refresh_status


class SyncedOffer(NamedTuple):
    """One offer as read from eMAG, flat: the product's fields, then this account's offer.

    A plain tuple rather than pydantic models: thousands are spooled to disk and loaded
    back during the sync, and tuples pickle several times faster.
    """

    sku: str
    pnk: str | None
    ean: str | None
    name: str | None
    emag_offer_id: int
    stock: int | None
    general_stock: int | None
    estimated_stock: int | None
    number_of_offers: int | None
    buy_button_rank: int | None
    sale_price: Decimal | None
    best_offer_sale_price: Decimal | None
    status: int | None
    offer_validation: int | None = None
    offer_validation_text: str | None = None
    doc_validation: int | None = None
    doc_validation_text: str | None = None
    supply_lead_time: int | None = None
    category: str | None = None
    category_id: int | None = None

    def snapshot(self, account: Account, read_at: datetime) -> ProductSnapshot:
        """The same offer as the engine's model."""
        offer = OfferSnapshot(
            account=account,
            offer_id=self.emag_offer_id,
            pnk=self.pnk,
            stock=self.stock,
            general_stock=self.general_stock,
            estimated_stock=self.estimated_stock,
            number_of_offers=self.number_of_offers,
            buy_button_rank=self.buy_button_rank,
            sale_price=self.sale_price,
            status=self.status,
            offer_validation=self.offer_validation,
            offer_validation_text=self.offer_validation_text,
            doc_validation=self.doc_validation,
            doc_validation_text=self.doc_validation_text,
            supply_lead_time=self.supply_lead_time,
            last_read_at=read_at,
        )
        return ProductSnapshot(
            sku=self.sku,
            pnk=self.pnk,
            ean=self.ean,
            name=self.name,
            category=self.category,
            **{account: offer},
        )


# -- the sync ---------------------------------------------------------------------------


def mark_account_unread(session: Session, account: str) -> None:
    """Clear `last_read_at` of the account's offers; the upserts that follow set it again.

    Inside the caller's transaction, so a failure rolls the marks back with the rest.
    """
    session.execute(
        update(Offer)
        .where(Offer.account == account)
        .values(last_read_at=None)
        .execution_options(synchronize_session=False)
    )


def upsert_account_chunk(
    session: Session, account: str, offers: Sequence[SyncedOffer], now: datetime, rules: Rules
) -> list[int]:
    """Insert or update products (by SKU, any case) and this account's offer of each.

    A product's PNK, EAN and name follow MAIN; FBE only fills in what is unknown, so a
    PNK mismatch stays visible (each offer keeps the PNK its account reports). Returns the
    product ids.
    """
    by_key: dict[str, SyncedOffer] = {}
    for synced in offers:
        # The same SKU twice in one chunk would break the INSERT; the later one wins, as
        # it would across chunks.
        by_key[lookup_key(synced.sku)] = synced
    existing: dict[str, tuple[int, dict[str, str | None]]] = {}
    for chunk in chunks(list(by_key)):
        rows = session.execute(
            select(
                Product.sku_key,
                Product.id,
                Product.pnk,
                Product.ean,
                Product.name,
                Product.category,
            ).where(Product.sku_key.in_(chunk))
        )
        existing.update(
            {
                key: (id_, {"pnk": pnk, "ean": ean, "name": name, "category": category})
                for key, id_, pnk, ean, name, category in rows
            }
        )
    new_rows, changed = [], []
    for key, synced in by_key.items():
        product = synced
        described = {
            "pnk": product.pnk.upper() if product.pnk else None,
            "ean": product.ean,
            "name": product.name,
            "category": product.category,
        }
        if key not in existing:
            new_rows.append(
                {
                    "sku": product.sku.strip(),
                    "sku_key": key,
                    **described,
                    "category_key": category_key(product.category) if product.category else None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            continue
        product_id, stored = existing[key]
        row: dict = {"id": product_id, "sku": product.sku.strip(), "updated_at": now}
        for field, value in described.items():
            # MAIN describes the product; FBE only fills in what is unknown.
            if value and (account == "main" or not stored[field]):
                row[field] = value
        if "category" in row:
            row["category_key"] = category_key(row["category"])
        changed.append(row)
    ids = {key: value[0] for key, value in existing.items()}
    products = Product.__table__
    if new_rows:
        # Core, not the ORM: its bulk INSERT ... RETURNING sends the rows one statement
        # at a time on SQLite; Core's executemany batches them.
        session.execute(products.insert(), new_rows)
        for chunk in chunks([row["sku_key"] for row in new_rows]):
            inserted = session.execute(
                select(Product.sku_key, Product.id).where(Product.sku_key.in_(chunk))
            )
            ids.update({key: id_ for key, id_ in inserted})
    # One executemany per set of columns changed (every row of it binds the same keys).
    for keys in {frozenset(row) for row in changed}:
        fields = {name: bindparam(f"v_{name}") for name in keys if name != "id"}
        session.execute(
            products.update().where(products.c.id == bindparam("row_id")).values(fields),
            [
                {"row_id": row["id"], **{f"v_{k}": v for k, v in row.items() if k != "id"}}
                for row in changed
                if frozenset(row) == keys
            ],
        )

    offer_ids: dict[int, int] = {}
    for chunk in chunks([ids[key] for key in existing]):
        rows = session.execute(
            select(Offer.product_id, Offer.id).where(
                Offer.account == account, Offer.product_id.in_(chunk)
            )
        )
        offer_ids.update({product_id: id_ for product_id, id_ in rows})
    inserts, updates = [], []
    for key, synced in by_key.items():
        row = {
            "emag_offer_id": synced.emag_offer_id,
            "pnk": synced.pnk.upper() if synced.pnk else None,
            "stock": synced.stock,
            "general_stock": synced.general_stock,
            "estimated_stock": synced.estimated_stock,
            "number_of_offers": synced.number_of_offers,
            "buy_button_rank": synced.buy_button_rank,
            "sale_price": synced.sale_price,
            "best_offer_sale_price": synced.best_offer_sale_price,
            "status": synced.status,
            "offer_validation": synced.offer_validation,
            "offer_validation_text": synced.offer_validation_text,
            "doc_validation": synced.doc_validation,
            "doc_validation_text": synced.doc_validation_text,
            "supply_lead_time": synced.supply_lead_time,
            "last_read_at": now,
        }
        offer_id = offer_ids.get(ids[key])
        if offer_id is None:
            inserts.append({**row, "product_id": ids[key], "account": account})
        else:
            # Bind names must differ from column names in a Core UPDATE ... SET.
            updates.append({"row_id": offer_id, **{f"v_{k}": v for k, v in row.items()}})
    table = Offer.__table__
    if inserts:
        session.execute(table.insert(), inserts)
    if updates:
        # Core executemany: the ORM's bulk UPDATE builds parameters row by row in Python,
        # several times slower, and these rows need none of its bookkeeping.
        fields = {name[2:]: bindparam(name) for name in updates[0] if name != "row_id"}
        session.execute(
            table.update().where(table.c.id == bindparam("row_id")).values(fields), updates
        )
    product_ids = list(ids.values())
    refresh_status(session, rules, product_ids)
    return product_ids


def remove_unread_offers(
    session: Session, account: str, rules: Rules, read_before: datetime | None = None
) -> int:
    """Delete the account's offers a completed read did not return; returns how many.

    Those are the offers marked unread (`mark_account_unread`) or, when `read_before` is
    given (a read stored chunk by chunk, without the marks), those last read before it.
    The product and the other account's offer stay (with their history and snoozes); the
    product simply is no longer listed on this account.
    """
    unread = Offer.last_read_at.is_(None)
    if read_before is not None:
        unread = or_(unread, Offer.last_read_at < read_before)
    product_ids = list(
        session.scalars(select(Offer.product_id).where(Offer.account == account, unread))
    )
    for chunk in chunks(product_ids):
        session.execute(
            delete(Offer)
            .where(Offer.account == account, Offer.product_id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
    if product_ids:
        refresh_status(session, rules, product_ids)
    return len(product_ids)


def stored_category_names(session: Session) -> dict[int, str]:
    """eMAG category names by id, as earlier syncs read them."""
    return dict(session.execute(select(EmagCategory.id, EmagCategory.name)).all())


def store_category_names(session: Session, names: dict[int, str], now: datetime) -> None:
    """Keep the category names a sync read, for the next one."""
    for category_id, name in names.items():
        stored = session.get(EmagCategory, category_id)
        if stored is None:
            session.add(EmagCategory(id=category_id, name=name, read_at=now))
        else:
            stored.name, stored.read_at = name, now
