"""Checking what people type (accounts, amounts, a transfer proposal) and validating a
proposed transfer: its impact on both accounts and its warnings. Never changes stock."""

from __future__ import annotations

from datetime import datetime

import bot.engine.phrases as phrases
from bot.engine.competition import Position, label, positions
from bot.engine.demand import need, units_for
from bot.engine.freshness import data_as_of, is_stale
from bot.engine.models import (
    ACCOUNTS,
    MAX_TRANSFER_AMOUNT,
    Account,
    FromImpact,
    ProductSnapshot,
    Rules,
    ToImpact,
    TransferCheck,
    TransferImpact,
    TransferProposal,
)
from bot.engine.numbers import whole_number
from bot.errors import InsufficientStock, InvalidInput


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
    rules = rules.for_category(product.category)
    where = positions(product)
    source_account, destination_account = proposal.from_account, proposal.to_account
    for account in (source_account, destination_account):
        if not where[account].listed:
            raise InvalidInput(
                "sku",
                phrases.NO_TRANSFER.format(sku=product.sku, name=label(account)),
            )
    source, destination = where[source_account], where[destination_account]
    if proposal.amount > source.stock:
        raise InsufficientStock(source_account, source.stock, proposal.amount)

    source_left = source.stock - proposal.amount
    destination_after = destination.stock + proposal.amount
    from_impact, warnings = _source_check(source_account, source, source_left, rules)
    to_impact, more = _destination_check(destination_account, destination, rules)
    warnings += more
    as_of = data_as_of(product)
    stale = is_stale(as_of, now, rules)
    if stale:
        warnings.append(phrases.STALE.format(hours=rules.stale_snapshot_hours))
    notes = [
        phrases.WITHDRAWAL if source_account == "fbe" else phrases.INBOUND,
        phrases.API_WRITES_MAIN,
    ]
    if destination.in_transit:
        notes.append(
            phrases.ALREADY_IN_TRANSIT.format(
                units=destination.in_transit, name=label(destination_account)
            )
        )
    if destination.sales_per_day is None:
        notes.append(phrases.NO_SALES_DATA.format(name=label(destination_account)))
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
        recommendation=phrases.REVIEW_WARNINGS if warnings else phrases.PROCEED,
        data_as_of=as_of,
        stale=stale,
    )


def _source_check(
    account: Account, source: Position, left: int, rules: Rules
) -> tuple[FromImpact, list[str]]:
    """The source's impact and at most one warning about it (the worst)."""
    name = label(account)
    # An offer that cannot sell holds no buy button to lose; unknown competition may.
    competes = source.sellable and (source.competitors is None or source.competitors >= 1)
    if competes and left == 0:
        return "Will lose buy button", [phrases.LEFT_AT_ZERO.format(name=name)]
    if competes and left < rules.low_stock:
        return "Low stock risk", [
            phrases.LEFT_BELOW.format(name=name, left=left, low=rules.low_stock)
        ]
    if source.sellable and source.sales_per_day is not None:
        own = units_for(source.sales_per_day, rules.cover_days)
        if left < own:
            return "Low stock risk", [
                phrases.LEFT_UNDER_COVER.format(
                    name=name, left=left, cover=rules.cover_days, own=own
                )
            ]
    return "Safe", []


def _destination_check(
    account: Account, destination: Position, rules: Rules
) -> tuple[ToImpact, list[str]]:
    name = label(account)
    if not destination.sellable:
        return "No buy-button change (offer cannot sell)", [
            phrases.DESTINATION_CANNOT_SELL.format(name=name, why=destination.unsellable)
        ]
    if destination.competitors is None:
        impact: ToImpact = "Buy-button change unknown (competition not known)"
        warnings = [phrases.COMPETITION_UNKNOWN_MOVE.format(name=name)]
    elif destination.has_competition:
        impact, warnings = "Will gain/maintain buy button", []
    else:
        impact = "No buy-button change (no competition)"
        warnings = [phrases.NO_COMPETITION_MOVE.format(name=name)]
    wanted = need(destination, rules)
    if wanted is not None and wanted <= 0:
        warnings.append(
            phrases.HOLDS_COVER.format(
                name=name,
                cover=rules.cover_days,
                stock=destination.stock,
                transit=destination.in_transit,
            )
        )
    return impact, warnings
