"""SQLAlchemy 2.0 models: the offer snapshot, its history, and what people did with it.

One module per part; every model is importable from here (`from storage.models import
Offer`), and importing this package registers them all on `Base.metadata`.
"""

from storage.models.actions import ActionClaim, MessageState, Snooze, TransferRecord
from storage.models.base import Base
from storage.models.digests import Digest, DigestItem, DigestMessage
from storage.models.history import AlertRecord, CompetitionRecord, DailyStats, StockDay
from storage.models.plan import PlanEntry
from storage.models.snapshot import (
    CatalogueState,
    EmagCategory,
    Offer,
    Product,
    ProductStatus,
    SnapshotRun,
)

__all__ = [
    "ActionClaim",
    "AlertRecord",
    "Base",
    "CatalogueState",
    "CompetitionRecord",
    "DailyStats",
    "Digest",
    "DigestItem",
    "DigestMessage",
    "EmagCategory",
    "MessageState",
    "Offer",
    "PlanEntry",
    "Product",
    "ProductStatus",
    "SnapshotRun",
    "Snooze",
    "StockDay",
    "TransferRecord",
]
