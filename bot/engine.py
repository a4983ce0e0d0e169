"""The analysis engine: pure functions over one product's snapshot.

No SQL, no HTTP and no clock reads here: callers pass `now` and the `Rules`. The SQL
classifier in `storage/queries.py` mirrors `priority` and `issues` for whole-catalogue
counts; `tests/storage/test_classifier_matches_engine.py` keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.errors import InsufficientStock, InvalidInput
from bot.models import (
    ACCOUNTS,
    MAX_TRANSFER_AMOUNT,
    PRIORITY_RANK,
    Account,
    Analysis,
    CurrentSituation,
    Priority,
    ProductSnapshot,
    Recommendation,
    Rules,
    TransferCheck,
    TransferImpact,
    TransferProposal,
    other_account,
)
from bot.numbers import whole_number

_TYPE_ORDER = {
    "stock_transfer": 0,
    "stock_rebalance": 0,
    "stock_optimization": 0,
    "restock": 1,
    "stock_alert": 1,
    "offer_update": 2,
}


@dataclass(frozen=True)
class _Position:
    """What the scenarios need to know about one account of a product."""

    listed: bool
    stock: int
    competitors: int | None
    rank: int | None

    @property
    def has_competition(self) -> bool:
        return self.competitors is not None and self.competitors >= 1


def _positions(product: ProductSnapshot) -> dict[Account, _Position]:
    offers = {account: product.offer(account) for account in ACCOUNTS}
    own_active = sum(
        1
        for offer in offers.values()
        if offer is not None
        and (offer.stock or 0) > 0
        and (1 if offer.status is None else offer.status) == 1
    )
    positions: dict[Account, _Position] = {}
    for account, offer in offers.items():
        if offer is None:
            positions[account] = _Position(False, 0, None, None)
            continue
        competitors = (
            None if offer.number_of_offers is None else max(offer.number_of_offers - own_active, 0)
        )
        positions[account] = _Position(True, offer.stock or 0, competitors, offer.buy_button_rank)
    return positions


def spare_stock(position: _Position, rules: Rules) -> int:
    """Units a recommended transfer may take from this account."""
    if not position.listed:
        return 0
    if position.has_competition:
        return max(position.stock - rules.source_floor, 0)
    return position.stock


def days_since(moment: datetime | None, now: datetime) -> int | None:
    """Whole days from `moment` to `now`; None when it never happened."""
    if moment is None:
        return None
    return (now - moment).days


def data_as_of(product: ProductSnapshot) -> datetime | None:
    """The oldest read time among the product's offers: the age of its weakest data."""
    reads = [
        offer.last_read_at
        for account in ACCOUNTS
        if (offer := product.offer(account)) is not None and offer.last_read_at is not None
    ]
    return min(reads) if reads else None


def is_stale(as_of: datetime | None, now: datetime, rules: Rules) -> bool:
    return as_of is None or now - as_of > timedelta(hours=rules.stale_snapshot_hours)


def _label(account: Account) -> str:
    return account.upper()


def _shortage_recommendations(
    account: Account, positions: dict[Account, _Position], rules: Rules
) -> list[Recommendation]:
    """Scenarios 1 and 2 for `account`: zero or low stock while others compete."""
    here, source_account = positions[account], other_account(account)
    if not here.listed or not here.has_competition or here.stock >= rules.low_stock:
        return []
    spare = spare_stock(positions[source_account], rules)
    amount = min(rules.transfer_cap, spare)
    name, source = _label(account), _label(source_account)
    if here.stock == 0:
        if amount > 0:
            return [
                Recommendation(
                    type="stock_transfer",
                    priority="high",
                    from_account=source_account,
                    to_account=account,
                    suggested_amount=amount,
                    reason=f"{name} has 0 stock with competition - losing buy button",
                    impact=f"Regain buy button on {name} account",
                )
            ]
        return [
            Recommendation(
                type="restock",
                priority="high",
                account=account,
                current_stock=0,
                reason=(
                    f"{name} has 0 stock with competition and {source} has none to spare "
                    "- both accounts are short"
                ),
                suggested_action=f"Restock {name} from the supplier",
            )
        ]
    found = [
        Recommendation(
            type="stock_alert",
            priority="medium",
            account=account,
            current_stock=here.stock,
            reason=f"{name} has only {here.stock} units with competition - buy button at risk",
            suggested_action=f"Raise {name} stock to at least {rules.low_stock}",
        )
    ]
    if amount > 0:
        found.append(
            Recommendation(
                type="stock_transfer",
                priority="medium",
                from_account=source_account,
                to_account=account,
                suggested_amount=amount,
                reason=f"{name} stock is low ({here.stock}) with competition",
                impact=f"Keep the buy button on {name} account",
            )
        )
    return found


def _balance_recommendations(
    account: Account, positions: dict[Account, _Position], rules: Rules
) -> list[Recommendation]:
    """Scenarios 3 and 4 for `account` as the destination: moving idle or misplaced stock."""
    here, source_account = positions[account], other_account(account)
    source = positions[source_account]
    if not (here.listed and source.listed):
        return []
    found = []
    name, source_name = _label(account), _label(source_account)
    if (
        here.rank is not None
        and source.rank is not None
        and here.rank < source.rank
        and here.stock < source.stock
    ):
        # The source floor applies to every recommended transfer, this one included.
        amount = min(source.stock // 2, rules.transfer_cap, spare_stock(source, rules))
        if amount > 0:
            found.append(
                Recommendation(
                    type="stock_rebalance",
                    priority="low",
                    from_account=source_account,
                    to_account=account,
                    suggested_amount=amount,
                    reason=(
                        f"{name} ranks better (#{here.rank} vs #{source.rank}) "
                        f"but has less stock ({here.stock} vs {source.stock})"
                    ),
                    impact=f"Put stock where the buy button is won ({name})",
                )
            )
    if source.competitors == 0 and here.has_competition and source.stock > rules.idle_floor:
        amount = min(source.stock - rules.idle_floor, rules.transfer_cap)
        found.append(
            Recommendation(
                type="stock_optimization",
                priority="low",
                from_account=source_account,
                to_account=account,
                suggested_amount=amount,
                reason=(
                    f"{source_name} has no competition and {source.stock} units; "
                    f"{name} has competition"
                ),
                impact=f"Use idle {source_name} stock to defend the buy button on {name}",
            )
        )
    return found


def _update_recommendations(
    product: ProductSnapshot, now: datetime, rules: Rules
) -> list[Recommendation]:
    """Scenario 5: offers not sent to eMAG for `weekly_update_days` or more."""
    found = []
    for account in ACCOUNTS:
        offer = product.offer(account)
        if offer is None:
            continue
        days = days_since(offer.last_sent_at, now)
        if days is not None and days < rules.weekly_update_days:
            continue
        reason = (
            "Never sent to eMAG - eMAG recommends weekly updates"
            if days is None
            else f"Last sync {days} days ago - eMAG recommends weekly updates"
        )
        found.append(
            Recommendation(
                type="offer_update",
                priority="low",
                account=account,
                days_since_update=days,
                reason=reason,
                suggested_action="Update offer even if nothing changed",
            )
        )
    return found


def _without_contradictions(
    recommendations: list[Recommendation], positions: dict[Account, _Position]
) -> list[Recommendation]:
    """At most one transfer in total: the strongest, never two directions or two kinds."""
    transfers = [rec for rec in recommendations if rec.is_transfer]
    if len(transfers) <= 1:
        return recommendations

    def strength(rec: Recommendation) -> tuple[int, int, int]:
        destination = positions[rec.to_account] if rec.to_account else None
        helps_competition = int(destination is not None and destination.has_competition)
        # Earlier scenarios win ties; `index` keeps max() stable on them.
        return (PRIORITY_RANK[rec.priority], helps_competition, -transfers.index(rec))

    keep = max(transfers, key=strength)
    return [rec for rec in recommendations if not rec.is_transfer or rec is keep]


def _ordered(recommendations: list[Recommendation]) -> list[Recommendation]:
    return sorted(
        recommendations,
        key=lambda rec: (-PRIORITY_RANK[rec.priority], _TYPE_ORDER[rec.type]),
    )


def _issues(recommendations: list[Recommendation]) -> list[str]:
    found = []
    types = {rec.type: rec for rec in recommendations}
    if any(rec.priority == "high" and rec.type != "offer_update" for rec in recommendations):
        found.append("zero_stock_with_competition")
    if "stock_alert" in types:
        found.append("low_stock_with_competition")
    if "offer_update" in types:
        found.append("needs_weekly_update")
    if any(rec.type in ("stock_rebalance", "stock_optimization") for rec in recommendations):
        found.append("imbalanced")
    return found


def highest_priority(recommendations: list[Recommendation]) -> Priority:
    """The strongest priority among `recommendations` ("normal" for none)."""
    best: Priority = "normal"
    for rec in recommendations:
        if PRIORITY_RANK[rec.priority] > PRIORITY_RANK[best]:
            best = rec.priority
    return best


def analyze(product: ProductSnapshot, now: datetime, rules: Rules) -> Analysis:
    """Every scenario of engine.md for both accounts of one product."""
    positions = _positions(product)
    found: list[Recommendation] = []
    for account in ACCOUNTS:
        found += _shortage_recommendations(account, positions, rules)
    urgent_directions = {(rec.from_account, rec.to_account) for rec in found if rec.is_transfer}
    for account in ACCOUNTS:
        found += [
            rec
            for rec in _balance_recommendations(account, positions, rules)
            if (rec.from_account, rec.to_account) not in urgent_directions
        ]
    found += _update_recommendations(product, now, rules)
    recommendations = _ordered(_without_contradictions(found, positions))

    notes = [
        f"{_label(account)}: number_of_offers unknown - competition not known"
        for account in ACCOUNTS
        if positions[account].listed and positions[account].competitors is None
    ]
    notes += [
        f"Not listed on {_label(account)}" for account in ACCOUNTS if not positions[account].listed
    ]
    priority = highest_priority(recommendations)
    as_of = data_as_of(product)
    main, fbe = product.main, product.fbe
    return Analysis(
        sku=product.sku,
        pnk=product.pnk,
        ean=product.ean,
        name=product.name,
        listed_on=[account for account in ACCOUNTS if positions[account].listed],
        current_situation=CurrentSituation(
            stock_main=positions["main"].stock,
            stock_fbe=positions["fbe"].stock,
            total_stock=positions["main"].stock + positions["fbe"].stock,
            offers_main=main.number_of_offers if main else None,
            offers_fbe=fbe.number_of_offers if fbe else None,
            rank_main=positions["main"].rank,
            rank_fbe=positions["fbe"].rank,
            has_competition_main=positions["main"].has_competition,
            has_competition_fbe=positions["fbe"].has_competition,
            competitors_main=positions["main"].competitors,
            competitors_fbe=positions["fbe"].competitors,
        ),
        recommendations=recommendations,
        priority=priority,
        action_required=priority in ("high", "medium"),
        issues=_issues(recommendations),
        notes=notes,
        data_as_of=as_of,
        stale=is_stale(as_of, now, rules),
    )


def parse_account(value: object, field: str) -> Account:
    """`main` or `fbe`, any case, or InvalidInput naming `field`."""
    text = str(value).strip().lower()
    if text not in ACCOUNTS:
        raise InvalidInput(field, f"{field} must be 'main' or 'fbe', not {str(value)!r}")
    return text  # type: ignore[return-value]


def parse_amount(value: object) -> int:
    """A whole number of units in 1..65535, or InvalidInput for `amount`."""
    if isinstance(value, bool):
        raise InvalidInput("amount", "amount must be a whole number of units")
    if isinstance(value, int):
        amount = value
    else:
        number = whole_number(value)
        if number is None:
            raise InvalidInput(
                "amount", f"amount must be a whole number of units, not {str(value)!r}"
            )
        amount = number
    if not 1 <= amount <= MAX_TRANSFER_AMOUNT:
        raise InvalidInput("amount", f"amount must be between 1 and {MAX_TRANSFER_AMOUNT}")
    return amount


def parse_proposal(
    sku: str, from_account: object, to_account: object, amount: object
) -> TransferProposal:
    """Check a transfer request's fields, naming the first bad one."""
    source = parse_account(from_account, "from_account")
    destination = parse_account(to_account, "to_account")
    if source == destination:
        raise InvalidInput("to_account", "from and to accounts must differ")
    return TransferProposal(
        sku=sku,
        from_account=source,
        to_account=destination,
        amount=parse_amount(amount),
    )


def validate_transfer(
    product: ProductSnapshot, proposal: TransferProposal, now: datetime, rules: Rules
) -> TransferCheck:
    """The impact of moving `proposal.amount` units; never changes anything."""
    positions = _positions(product)
    source_account, destination_account = proposal.from_account, proposal.to_account
    for account in (source_account, destination_account):
        if not positions[account].listed:
            raise InvalidInput(
                "sku",
                f"{product.sku} is not listed on {_label(account)}; no transfer possible",
            )
    source, destination = positions[source_account], positions[destination_account]
    if proposal.amount > source.stock:
        raise InsufficientStock(source_account, source.stock, proposal.amount)

    source_left = source.stock - proposal.amount
    destination_after = destination.stock + proposal.amount
    warnings = []
    if source.has_competition and source_left == 0:
        from_impact = "Will lose buy button"
        warnings.append(
            f"{_label(source_account)} will be left at 0 with competition - will lose buy button"
        )
    elif source.has_competition and source_left < rules.low_stock:
        from_impact = "Low stock risk"
        warnings.append(
            f"{_label(source_account)} will be left with {source_left} units (below "
            f"{rules.low_stock}) with competition - buy button at risk"
        )
    else:
        from_impact = "Safe"
    if destination.has_competition:
        to_impact = "Will gain/maintain buy button"
    else:
        to_impact = "No buy-button change (no competition)"
        warnings.append(
            f"{_label(destination_account)} has no competition - the move gains no buy button"
        )
    if destination.rank == 1 and destination.stock >= rules.low_stock:
        warnings.append(
            f"{_label(destination_account)} already holds the buy button with "
            f"{destination.stock} units - the move gains nothing there"
        )
    as_of = data_as_of(product)
    stale = is_stale(as_of, now, rules)
    if stale:
        warnings.append(
            "The snapshot is stale (older than "
            f"{rules.stale_snapshot_hours} h) - check current stock in eMAG first"
        )
    notes = [
        "FBE stock sits in the eMAG warehouse: "
        + (
            "moving it to MAIN is a physical withdrawal from the eMAG warehouse."
            if source_account == "fbe"
            else "moving MAIN stock there is an inbound shipment to the eMAG warehouse."
        ),
        "Only MAIN stock can be written through the eMAG API; FBE stock changes when eMAG "
        "books the shipment.",
    ]
    return TransferCheck(
        sku=product.sku,
        transfer={
            "from_account": source_account,
            "to_account": destination_account,
            "amount": proposal.amount,
        },
        current_state={
            f"stock_{source_account}": source.stock,
            f"stock_{destination_account}": destination.stock,
        },
        proposed_state={
            f"stock_{source_account}": source_left,
            f"stock_{destination_account}": destination_after,
        },
        impact=TransferImpact(from_account_impact=from_impact, to_account_impact=to_impact),
        warnings=warnings,
        notes=notes,
        recommendation="Review warnings first" if warnings else "Proceed",
        data_as_of=as_of,
        stale=stale,
    )
