"""The snapshot written from plain rows: what `storage.writes.upsert_snapshots` does for
pydantic snapshots, for the CSV import and the demo seed, at a million rows.

The same products, offers, paces and classification come out (tests/storage/
test_bulk_writes.py compares the two); only the way there differs: values as tuples,
written by the driver (storage.bulk), and the pace of a new product's offer computed
as it is inserted (a product created in this batch has no stock history yet).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from operator import itemgetter

from sqlalchemy.orm import Session

from bot.engine.demand import sales_per_day
from bot.engine.models import ACCOUNTS, OfferSnapshot, ProductSnapshot, Rules, category_key
from storage.bulk import Driver, IdSet
from storage.models import Offer, Product
from storage.plain_rows import OFFER_COLUMNS, UNITS, OfferRows, ProductValues, offer_values
from storage.queries import lookup_key
from storage.velocity import apply_units, in_stock_days
from storage.writes import refresh_statistics

_STORED = tuple(name for name in OFFER_COLUMNS if name != UNITS)
_DEFAULTS = {
    name: OfferSnapshot.model_fields[name].default for name in _STORED if name != "emag_offer_id"
} | {"emag_offer_id": None}
_PRODUCT_FIELDS = ("sku", "pnk", "ean", "name", "category", "category_key")


def snapshot_rows(snapshots: list[ProductSnapshot]) -> OfferRows:
    """The rows of pydantic snapshots (each SKU once)."""
    rows = OfferRows()
    for snapshot in snapshots:
        key = lookup_key(snapshot.sku)
        rows.products[key] = [
            snapshot.sku,
            snapshot.pnk,
            snapshot.ean,
            snapshot.name,
            snapshot.category,
        ]
        for account in ACCOUNTS:
            offer = snapshot.offer(account)
            if offer is not None:
                rows.offers[(key, account)] = offer_values(offer)
    return rows


def _write_products(
    db: Driver, products: dict[str, ProductValues], now: datetime
) -> tuple[dict[str, int], set[str]]:
    """Every product's id by SKU key, and the keys of those new in this batch."""
    select = "SELECT sku_key, id FROM products WHERE sku_key IN ({in})"
    ids = dict(db.lookup(select, list(products)))
    table = Product.__table__
    rows = {}
    for key, (sku, pnk, ean, name, category) in products.items():
        category = category.strip() if category else None
        rows[key] = (
            (sku or "").strip(),
            pnk.upper() if pnk else None,
            ean,
            name,
            category,
            category_key(category) if category else None,
        )
    new = [key for key in products if key not in ids]
    if new:
        columns = (*_PRODUCT_FIELDS, "sku_key", "created_at", "updated_at")
        db.insert(table, columns, ((*rows[key], key, now, now) for key in new))
        ids.update(db.lookup(select, new))
    fresh = set(new)
    # An update keeps what the source did not say (a CSV without pnk keeps the PNK).
    changed = [(*rows[key], now, ids[key]) for key in products if key not in fresh]
    if changed:
        assign = ", ".join(f"{name} = coalesce({db.mark}, {name})" for name in _PRODUCT_FIELDS)
        columns = (*_PRODUCT_FIELDS, "updated_at")
        db.update(table, f"{assign}, updated_at = {db.mark}", columns, changed)
    return ids, fresh


def write_offer_rows(
    session: Session, batch: OfferRows, now: datetime, rules: Rules, written_ids: IdSet
) -> dict[str, int]:
    """Insert or update the batch's products (by SKU key) and offers (by product and
    account) and set the paces of the units given; returns offers written per account
    (as upsert_snapshots). The products' ids go into `written_ids`: the caller
    reclassifies them (storage.bulk_load), once for all batches."""
    db = Driver(session)
    ids, new = _write_products(db, batch.products, now)
    offer_ids = {
        (product_id, account): id_
        for product_id, account, id_ in db.lookup(
            "SELECT product_id, account, id FROM offers WHERE product_id IN ({in})",
            [ids[key] for key in batch.products if key not in new],
        )
    }
    written = dict.fromkeys(ACCOUNTS, 0)
    inserts: list[list] = []
    updates: dict[tuple[str, ...], list[tuple]] = {}
    sold: dict[tuple[int, str], int | None] = {}
    plans: dict[tuple[str, ...], _Plan] = {}
    # Products in the batch's order, MAIN before FBE: the rows get the ids they would.
    for key in batch.products:
        product_id = ids[key]
        for account in ACCOUNTS:
            given = batch.offers.get((key, account))
            if given is None:
                continue
            columns, values = given
            plan = plans.get(columns) or plans.setdefault(columns, _Plan(columns))
            offer_id = offer_ids.get((product_id, account))
            if offer_id is None:
                inserts.append([product_id, account, *plan.inserted(values)])
            else:
                updates.setdefault(plan.stored, []).append((*plan.updated(values), offer_id))
            if plan.units is not None:
                sold[(product_id, account)] = values[plan.units]
            written[account] += 1
    table = Offer.__table__
    for stored, rows in updates.items():
        db.update(table, ", ".join(f"{name} = {db.mark}" for name in stored), stored, rows)
    if sold:
        _new_paces(inserts, sold, {ids[key] for key in new}, rules.velocity_days)
    if inserts:
        # Only the columns a row may hold: the others are NULL without a bound value.
        given = {name for plan in plans.values() for name in plan.stored}
        given |= {name for name, default in _DEFAULTS.items() if default is not None}
        if any(plan.units is not None for plan in plans.values()):
            given.add("sales_velocity")
        keep = [0, 1, *(2 + at for at, name in enumerate(_STORED) if name in given)]
        names = [("product_id", "account", *_STORED)[at] for at in keep]
        pick = itemgetter(*keep)
        db.insert(table, names, map(pick, inserts))
    if sold:
        # Offers of products stored before: their pace counts their stock history.
        apply_units(session, sold, now, rules.velocity_days)
    if len(new) + len(inserts) > 1000:
        refresh_statistics(session)
    written_ids.add(ids.values())
    return written


class _Plan:
    """How the values of one set of given columns become an inserted or updated row."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.units = columns.index(UNITS) if UNITS in columns else None
        self.stored = tuple(name for name in columns if name != UNITS)
        picks = [at for at, name in enumerate(columns) if name != UNITS]
        self._picks = picks
        self._pnk = self.stored.index("pnk") if "pnk" in self.stored else None
        at = {name: picks[index] for index, name in enumerate(self.stored)}
        self._full = [(at.get(name), _DEFAULTS[name]) for name in _STORED]

    def updated(self, values: tuple) -> list:
        given = [values[at] for at in self._picks]
        if self._pnk is not None and given[self._pnk]:
            given[self._pnk] = given[self._pnk].upper()
        return given

    def inserted(self, values: tuple) -> list:
        row = [default if at is None else values[at] for at, default in self._full]
        if self._pnk is not None and row[_PNK_AT]:
            row[_PNK_AT] = row[_PNK_AT].upper()
        return row


_PNK_AT = _STORED.index("pnk")
_PACE_AT = 2 + _STORED.index("sales_velocity")


def _new_paces(
    inserts: list[list], sold: dict[tuple[int, str], int | None], fresh: set[int], days: int
) -> None:
    """The pace of new products' offers, set in their inserts and taken out of `sold`:
    no stock history yet, so every day of the window had stock."""
    in_stock = in_stock_days(0, days)
    paces: dict[int | None, Decimal | None] = {}
    for row in inserts:
        product_id, account = row[0], row[1]
        if product_id in fresh and (product_id, account) in sold:
            units = sold.pop((product_id, account))
            if units not in paces:
                paces[units] = sales_per_day(units, in_stock)
            row[_PACE_AT] = paces[units]
