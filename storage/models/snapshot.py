"""The snapshot: products, their offer on each account, the refresh runs, and the stored
classification of each product."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime


class Product(Base):
    """One eMAG product (PNK) sold under one SKU from both accounts."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(128))
    # The SKU as people type it: trimmed and upper-cased, so lookups ignore case.
    sku_key: Mapped[str] = mapped_column(String(128), unique=True)
    pnk: Mapped[str | None] = mapped_column(String(32), index=True)
    ean: Mapped[str | None] = mapped_column(String(32), index=True)
    name: Mapped[str | None] = mapped_column(String(512))
    # The category as the source names it, and as it is compared (trimmed, lower case).
    category: Mapped[str | None] = mapped_column(String(128))
    category_key: Mapped[str | None] = mapped_column(String(128), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Offer(Base):
    """Our offer for a product on one account, as last read from eMAG."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("product_id", "account", name="uq_offers_product_account"),
        Index("ix_offers_account_offer_id", "account", "emag_offer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    account: Mapped[str] = mapped_column(String(8))
    emag_offer_id: Mapped[int | None] = mapped_column(BigInteger)
    # The PNK as this account reports it; differs from the product's on a mismatch.
    pnk: Mapped[str | None] = mapped_column(String(32))
    stock: Mapped[int | None] = mapped_column(Integer)
    general_stock: Mapped[int | None] = mapped_column(Integer)
    estimated_stock: Mapped[int | None] = mapped_column(Integer)
    number_of_offers: Mapped[int | None] = mapped_column(Integer)
    buy_button_rank: Mapped[int | None] = mapped_column(Integer)
    sale_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    best_offer_sale_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    status: Mapped[int | None] = mapped_column(Integer)
    # What eMAG says of the offer (offer_validation_status: 1 saleable, 2 invalid price)
    # and of its documentation (validation_status: 3, 9, 11, 12 approved); see engine.md.
    offer_validation: Mapped[int | None] = mapped_column(Integer)
    offer_validation_text: Mapped[str | None] = mapped_column(String(255))
    doc_validation: Mapped[int | None] = mapped_column(Integer)
    doc_validation_text: Mapped[str | None] = mapped_column(String(255))
    # Days a restock takes to arrive, as eMAG's offer_details say.
    supply_lead_time: Mapped[int | None] = mapped_column(Integer)
    # Units of transfers marked done towards this offer and not seen arriving yet, and
    # those overdue (storage.transits keeps these from the transfer records).
    in_transit: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    in_transit_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_transit: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    overdue_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Units of transfers marked done from this offer that its stock still shows.
    outgoing_transit: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Units sold per day over the last 30 days, out-of-stock days excluded.
    sales_velocity: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    last_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The competitor watch, kept by the eMAG sync (storage/competition.py): when the
    # buy button was lost while held, and the competitors before the last rise.
    buy_button_lost_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sellers_before: Mapped[int | None] = mapped_column(Integer)
    sellers_rose_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SnapshotRun(Base):
    """One refresh of the snapshot (demo seed, CSV import or eMAG sync) per account."""

    __tablename__ = "snapshot_runs"
    __table_args__ = (Index("ix_snapshot_runs_account_finished", "account", "finished_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offers_count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class ProductStatus(Base):
    """A product's classification by the rules in force: what does not depend on the clock.

    Refreshed from the offers whenever the snapshot changes (storage/status.py), so the
    whole-catalogue reads scan one narrow table. `rules_key` says which thresholds made it.
    """

    __tablename__ = "product_status"
    __table_args__ = (Index("ix_product_status_rules_key", "rules_key"),)

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    # The hot columns first: SQLite reads a row's columns in order.
    # 3 zero stock with competition (or an offer to fix with nothing on sale), 2 low
    # stock with competition (or an offer to fix), 1 imbalanced, 0 none.
    stock_rank: Mapped[int] = mapped_column(Integer)
    # The oldest send among the listed offers (never sent = the epoch); None if unlisted.
    # When the oldest weekly update of the listed offers falls due (epoch seconds, the
    # category's weekly_update_days after the send; never sent: long ago).
    oldest_due: Mapped[int | None] = mapped_column(BigInteger)
    lost_sales: Mapped[Decimal] = mapped_column(Numeric(16, 4))
    sku: Mapped[str] = mapped_column(String(128))
    rules_key: Mapped[str] = mapped_column(String(32))
    zero: Mapped[int] = mapped_column(Integer)
    low: Mapped[int] = mapped_column(Integer)
    imbalanced: Mapped[int] = mapped_column(Integer)
    zero_main: Mapped[int] = mapped_column(Integer)
    zero_fbe: Mapped[int] = mapped_column(Integer)
    low_main: Mapped[int] = mapped_column(Integer)
    low_fbe: Mapped[int] = mapped_column(Integer)
    listed_main: Mapped[int] = mapped_column(Integer)
    listed_fbe: Mapped[int] = mapped_column(Integer)
    stock_main: Mapped[int] = mapped_column(Integer)
    stock_fbe: Mapped[int] = mapped_column(Integer)
    competition_main: Mapped[int] = mapped_column(Integer)
    competition_fbe: Mapped[int] = mapped_column(Integer)
    rank_main: Mapped[int | None] = mapped_column(Integer)
    rank_fbe: Mapped[int | None] = mapped_column(Integer)
    due_main: Mapped[int | None] = mapped_column(BigInteger)
    due_fbe: Mapped[int | None] = mapped_column(BigInteger)
    # Indexed by ix_product_status_category_alert_order (below), which leads with it.
    category_key: Mapped[str | None] = mapped_column(String(128))
    read_main: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_fbe: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Listed but unsellable (engine.md, Competition); fix_offer's rank: 3 high, 2 medium.
    unsellable_main: Mapped[int] = mapped_column(Integer, default=0)
    unsellable_fbe: Mapped[int] = mapped_column(Integer, default=0)
    fix_rank: Mapped[int] = mapped_column(Integer, default=0)
    # The shorter days of cover of the two accounts (stock / pace); None when unknown.
    cover_days: Mapped[float | None] = mapped_column(Float)
    # Units marked as sent towards the account, not seen arriving after transit_days.
    overdue_main: Mapped[int] = mapped_column(Integer, default=0)
    overdue_fbe: Mapped[int] = mapped_column(Integer, default=0)
    # The buy button lost while in stock (bot.engine.competition_watch), and until when
    # (epoch seconds) a rise in the sellers on the PNK stays an alert; None: no rise.
    lost_main: Mapped[int] = mapped_column(Integer, default=0)
    lost_fbe: Mapped[int] = mapped_column(Integer, default=0)
    sellers_until: Mapped[int | None] = mapped_column(BigInteger)
    # The weekly plan's moves (storage.plan_lines): the transfer (which of its kinds and
    # directions, None: none) and its units; per account a restock (1) and its units
    # (None: sales unknown), and whether the account is losing its sales now.
    plan_transfer: Mapped[str | None] = mapped_column(String(16))
    plan_units: Mapped[int | None] = mapped_column(Integer)
    restock_main: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    restock_fbe: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    restock_main_units: Mapped[int | None] = mapped_column(Integer)
    restock_fbe_units: Mapped[int | None] = mapped_column(Integer)
    losing_main: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    losing_fbe: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# The alerts page walks these in its order, one stock rank at a time (queries.alert_page),
# over the catalogue or one category: no sort of the whole catalogue on a computed key.
# oldest_due last, so the weekly updates that fall due are found in the index alone.
Index(
    "ix_product_status_alert_order",
    ProductStatus.stock_rank,
    ProductStatus.lost_sales.desc(),
    ProductStatus.sku,
    ProductStatus.oldest_due,
)
Index(
    "ix_product_status_category_alert_order",
    ProductStatus.category_key,
    ProductStatus.stock_rank,
    ProductStatus.lost_sales.desc(),
    ProductStatus.sku,
    ProductStatus.oldest_due,
)


class CatalogueState(Base):
    """One row: a number every reclassification raises, so a reader can tell cheaply
    whether the catalogue changed since it last counted it."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class EmagCategory(Base):
    """An eMAG category's name by its id (category/read), kept so that a sync asks eMAG
    only for the ids it has not seen."""

    __tablename__ = "emag_categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())
