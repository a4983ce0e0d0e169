"""The engine's pydantic models: what a snapshot holds and what an analysis answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_serializer

from bot.engine.watch_models import CompetitionPoint, CompetitionView

Account = Literal["main", "fbe"]
ACCOUNTS: tuple[Account, Account] = ("main", "fbe")
Priority = Literal["high", "medium", "low", "normal"]
PRIORITY_RANK: dict[str, int] = {"high": 3, "medium": 2, "low": 1, "normal": 0}
PRIORITIES: tuple[Priority, ...] = ("high", "medium", "low", "normal")
TRANSFER_TYPES = frozenset({"stock_transfer", "stock_rebalance", "stock_optimization"})
MAX_TRANSFER_AMOUNT = 65535


def other_account(account: Account) -> Account:
    """The account that is not `account`."""
    return "fbe" if account == "main" else "main"


class Rules(BaseModel):
    """The engine's thresholds (engine.md, "Thresholds")."""

    model_config = ConfigDict(frozen=True)

    low_stock: int = 5
    transfer_cap: int = 10
    source_floor: int = 5
    idle_floor: int = 10
    weekly_update_days: int = 7
    stale_snapshot_hours: int = 24
    cover_days: int = 14
    supply_lead_days: int = 14
    transit_days: int = 7
    velocity_days: int = 30
    # Hours a rise in the sellers on a PNK stays an alert after the sync that saw it.
    new_seller_hours: int = 24
    # Thresholds that differ per product category, by the category's name in lower
    # case (STOCKBOT_RULES); a product outside them follows the fields above.
    categories: dict[str, CategoryRules] = {}

    def for_category(self, category: str | None) -> Rules:
        """The thresholds in force for a product of `category`."""
        override = self.categories.get(category_key(category)) if category else None
        if override is None:
            return self if not self.categories else self.model_copy(update={"categories": {}})
        return self.model_copy(update={**override.overrides, "categories": {}})


class CategoryRules(BaseModel):
    """One category's thresholds (those it sets; the rest are the global ones)."""

    model_config = ConfigDict(frozen=True)

    name: str
    overrides: dict[str, int]


def category_key(category: str) -> str:
    """How category names are compared: trimmed, lower-cased."""
    return category.strip().lower()


class OfferSnapshot(BaseModel):
    """One account's offer for a product, as last read from eMAG (or imported)."""

    account: Account
    offer_id: int | None = None
    pnk: str | None = None
    stock: int | None = None
    general_stock: int | None = None
    estimated_stock: int | None = None
    number_of_offers: int | None = None
    buy_button_rank: int | None = None
    sale_price: Decimal | None = None
    best_offer_sale_price: Decimal | None = None
    status: int | None = 1
    # eMAG's offer_validation_status value (1 saleable, 2 invalid price) and text, and the
    # documentation's validation_status (3, 9, 11, 12 approved); None: not known.
    offer_validation: int | None = None
    offer_validation_text: str | None = None
    doc_validation: int | None = None
    doc_validation_text: str | None = None
    supply_lead_time: int | None = None
    sales_velocity: Decimal | None = None
    last_read_at: AwareDatetime | None = None
    last_sent_at: AwareDatetime | None = None
    # Units of transfers marked done towards this account, not seen arriving yet; and
    # those overdue (older than transit_days), with the oldest mark of each.
    # Units sold in the last velocity_days as a CSV says (the pace is made from them and
    # the stock history when stored); not a stored field itself.
    units_sold_30d: int | None = None
    in_transit: int = 0
    in_transit_since: AwareDatetime | None = None
    overdue_transit: int = 0
    overdue_since: AwareDatetime | None = None
    # Units of transfers marked done from this account that its stock still shows: not
    # this account's to give again (engine.md, Amounts).
    outgoing_transit: int = 0
    # The competitor watch, kept by the eMAG sync (bot.engine.competition_watch): when
    # the buy button was lost while we held it (None: held, or never held), and the
    # competitors before the last rise with the sync that saw it.
    buy_button_lost_at: AwareDatetime | None = None
    sellers_before: int | None = None
    sellers_rose_at: AwareDatetime | None = None


class ProductSnapshot(BaseModel):
    """A product (one SKU / PNK) with its offer on each account it is listed on."""

    sku: str
    pnk: str | None = None
    ean: str | None = None
    name: str | None = None
    category: str | None = None
    main: OfferSnapshot | None = None
    fbe: OfferSnapshot | None = None
    # Hidden from digests until then (or until it gets worse), and by whom.
    snoozed_until: AwareDatetime | None = None
    snoozed_by: str | None = None
    # Per account, the competition at past syncs, oldest first (loaded for an analysis).
    competition_history: dict[Account, list[CompetitionPoint]] = {}

    def offer(self, account: Account) -> OfferSnapshot | None:
        return self.main if account == "main" else self.fbe


class Recommendation(BaseModel):
    """One thing to do; fields that do not apply to its type are left out of the JSON."""

    type: Literal[
        "stock_transfer",
        "stock_rebalance",
        "stock_optimization",
        "restock",
        "stock_alert",
        "offer_update",
        "fix_offer",
        "check_transfer",
        "buy_button_lost",
        "new_seller",
    ]
    priority: Priority
    reason: str
    from_account: Account | None = None
    to_account: Account | None = None
    suggested_amount: int | None = None
    account: Account | None = None
    current_stock: int | None = None
    days_since_update: int | None = None
    impact: str | None = None
    suggested_action: str | None = None
    # The competitor watch: our rank, competitors, new sellers and the price gap (lei
    # and % of our price; None when either price is unknown).
    rank: int | None = None
    competitors: int | None = None
    new_sellers: int | None = None
    our_price: float | None = None
    best_price: float | None = None
    price_gap: float | None = None
    price_gap_pct: float | None = None

    @property
    def is_transfer(self) -> bool:
        return self.type in TRANSFER_TYPES

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        return {key: value for key, value in data.items() if value is not None}


class CurrentSituation(BaseModel):
    stock_main: int
    stock_fbe: int
    total_stock: int
    offers_main: int | None
    offers_fbe: int | None
    rank_main: int | None
    rank_fbe: int | None
    # None: number_of_offers unknown, so competition is unknown (never said "no").
    has_competition_main: bool | None
    has_competition_fbe: bool | None
    competitors_main: int | None
    competitors_fbe: int | None
    # Units sold per day over the velocity window (days without stock left out), and the
    # days the stock lasts at that pace; None when unknown (never 0 for unknown).
    sales_per_day_main: float | None = None
    sales_per_day_fbe: float | None = None
    days_of_cover_main: float | None = None
    days_of_cover_fbe: float | None = None
    # RON a day lost while the account cannot sell with competition (its pace x its
    # price); 0 when it is not losing sales, None when unknown or not listed.
    lost_sales_per_day_main: float | None = None
    lost_sales_per_day_fbe: float | None = None
    in_transit_main: int = 0
    in_transit_fbe: int = 0
    in_transit_since_main: datetime | None = None
    in_transit_since_fbe: datetime | None = None
    # Whether eMAG will sell the offer (engine.md, Competition); None when not listed.
    sellable_main: bool | None = None
    sellable_fbe: bool | None = None


class Analysis(BaseModel):
    """analyze()'s answer (engine.md, "analyze(sku) result")."""

    sku: str
    pnk: str | None
    ean: str | None
    name: str | None
    listed_on: list[Account]
    current_situation: CurrentSituation
    recommendations: list[Recommendation]
    priority: Priority
    action_required: bool
    issues: list[str]
    notes: list[str]
    data_as_of: datetime | None
    stale: bool
    snoozed_until: datetime | None = None
    snoozed_by: str | None = None
    category: str | None = None
    # The thresholds of the product's category that differ from the global ones.
    rules_applied: dict[str, int] = {}
    # Per listed account: sellers now and a week ago, our rank history, the price gap.
    competition: dict[Account, CompetitionView] = {}


class TransferProposal(BaseModel):
    """A transfer someone wants to check: `amount` units from one account to the other."""

    sku: str
    from_account: Account
    to_account: Account
    amount: int = Field(ge=1, le=MAX_TRANSFER_AMOUNT)


FromImpact = Literal["Will lose buy button", "Low stock risk", "Safe"]
ToImpact = Literal[
    "Will gain/maintain buy button",
    "No buy-button change (no competition)",
    "No buy-button change (offer cannot sell)",
    "Buy-button change unknown (competition not known)",
]


class TransferImpact(BaseModel):
    from_account_impact: FromImpact
    to_account_impact: ToImpact


class TransferCheck(BaseModel):
    """validate_transfer()'s answer (engine.md, "validate_transfer")."""

    sku: str
    transfer: dict[str, Any]
    current_state: dict[str, int]
    proposed_state: dict[str, int]
    impact: TransferImpact
    warnings: list[str]
    notes: list[str]
    recommendation: Literal["Proceed", "Review warnings first"]
    data_as_of: datetime | None
    stale: bool
