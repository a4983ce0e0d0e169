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
    fresh = set(new)
    if new:
        before = db.execute("SELECT coalesce(max(id), 0) FROM products")[0][0]
        columns = (*_PRODUCT_FIELDS, "sku_key", "created_at", "updated_at")
        stamp = db.stored(table, "created_at", now)
        made = ((*rows[key], key, stamp, stamp) for key in new)
        db.insert(table, columns, made, ready=("created_at", "updated_at"))
        # The new ids are past the largest before (read as one range, where the keys by
        # chunks took three times as long); a concurrent writer's are left out.
        made_ids = db.execute("SELECT sku_key, id FROM products WHERE id > " + db.mark, (before,))
        ids.update(row for row in made_ids if row[0] in fresh)
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
    # The columns an insert binds, the same for every row whatever its source gave:
    # those given, the defaults that are not NULL and, with units, the pace; the others
    # are NULL without a bound value.
    given_sets = {columns for columns, _values in batch.offers.values()}
    named = {name for columns in given_sets for name in columns}
    named |= {name for name, default in _DEFAULTS.items() if default is not None}
    if UNITS in named:
        named.add("sales_velocity")
    names = tuple(name for name in _STORED if name in named)
    plans = {columns: _Plan(columns, names) for columns in given_sets}
    pnk_at = 2 + names.index("pnk") if "pnk" in names else None
    pace_at = 2 + names.index("sales_velocity") if "sales_velocity" in names else None
    paces = _NewPaces(rules.velocity_days)
    inserts: list[list] = []
    updates: dict[tuple[str, ...], list[tuple]] = {}
    sold: dict[tuple[int, str], int | None] = {}
    # Products in the batch's order, MAIN before FBE: the rows get the ids they would.
    for key in batch.products:
        product_id = ids[key]
        for account in ACCOUNTS:
            given = batch.offers.get((key, account))
            if given is None:
                continue
            columns, values = given
            plan = plans[columns]
            offer_id = offer_ids.get((product_id, account))
            # A new product has no stock history: every day of the window had stock, so
            # its pace is set as its offer is made.
            paced = plan.units is not None and key in new
            if offer_id is None:
                row = [product_id, account, *plan.inserted(values)]
                if pnk_at is not None and row[pnk_at]:
                    row[pnk_at] = row[pnk_at].upper()
                if paced:
                    row[pace_at] = paces.of(values[plan.units])  # type: ignore[index]
                inserts.append(row)
            else:
                updates.setdefault(plan.stored, []).append((*plan.updated(values), offer_id))
            if plan.units is not None and not paced:
                sold[(product_id, account)] = values[plan.units]
            written[account] += 1
    table = Offer.__table__
    for stored, rows in updates.items():
        db.update(table, ", ".join(f"{name} = {db.mark}" for name in stored), stored, rows)
    if inserts:
        db.insert(table, ("product_id", "account", *names), inserts)
    if sold:
        # Offers of products stored before: their pace counts their stock history.
        apply_units(session, sold, now, rules.velocity_days)
    if len(new) + len(inserts) > 1000:
        refresh_statistics(session)
    written_ids.add(ids.values())
    return written


class _Plan:
    """How the values of one set of given columns become an inserted or updated row."""

    def __init__(self, columns: tuple[str, ...], inserted: tuple[str, ...]) -> None:
        """`columns` given; an inserted row binds those `inserted` (values given, the
        others' defaults)."""
        self.units = columns.index(UNITS) if UNITS in columns else None
        self.stored = tuple(name for name in columns if name != UNITS)
        self._picks = [at for at, name in enumerate(columns) if name != UNITS]
        self._pnk = self.stored.index("pnk") if "pnk" in self.stored else None
        given = {name: at for at, name in enumerate(columns)}
        missing = [name for name in inserted if name not in given]
        self._defaults = tuple(_DEFAULTS[name] for name in missing)
        after = len(columns)
        # Never fewer than two names (the defaults that are not NULL are four), so the
        # getter gives a tuple.
        self._insert = itemgetter(
            *(given[name] if name in given else after + missing.index(name) for name in inserted)
        )

    def updated(self, values: tuple) -> list:
        given = [values[at] for at in self._picks]
        if self._pnk is not None and given[self._pnk]:
            given[self._pnk] = given[self._pnk].upper()
        return given

    def inserted(self, values: tuple) -> tuple:
        return self._insert(values + self._defaults)


class _NewPaces:
    """The pace of a new product's offer from its units sold (one per distinct count)."""

    def __init__(self, days: int) -> None:
        self._in_stock = in_stock_days(0, days)
        self._paces: dict[int | None, Decimal | None] = {}

    def of(self, units: int | None) -> Decimal | None:
        if units not in self._paces:
            self._paces[units] = sales_per_day(units, self._in_stock)
        return self._paces[units]
