"""Units in transit: transfers marked done, followed until the snapshot shows them arrive.

A transfer marked done is `in_transit` towards its destination until the destination's
stock has risen by its amount (arrived), or `transit_days` pass (overdue: stockbot says
it was not seen arriving); an overdue one still arrives if the stock shows it, and after
twice `transit_days` it is given up (lost). Each offer carries the totals (`in_transit`,
`overdue_transit` and the oldest mark of each), which the engine and the classifier read.

The units have left the source too, but its stock shows them until someone writes it
and a sync reads it: while a transfer is open and the source's stock has not fallen by
its amount since the mark, the source's offer counts them as `outgoing_transit`, which a
transfer never takes again (bot.engine.demand.spare).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from bot.engine.competition import positions
from bot.engine.demand import lost_sales_per_day
from bot.engine.models import ProductSnapshot, Rules, TransferProposal
from storage.db import chunks
from storage.models import Offer, TransferRecord
from storage.queries import snapshots_by_ids
from storage.status import refresh_status

OPEN = ("in_transit", "overdue")


def record_transfer(
    session: Session,
    product_id: int,
    proposal: TransferProposal,
    user: str,
    key: str,
    now: datetime,
    rules: Rules,
) -> TransferRecord:
    """Note that `proposal` was carried out; its units are in transit from now."""
    record = _new_record(session, product_id, proposal, user, key, now)
    refresh_totals(session, [product_id], rules)
    return record


def record_transfers(
    session: Session,
    moves: Sequence[tuple[int, TransferProposal]],
    user: str,
    key: str,
    now: datetime,
    rules: Rules,
) -> list[TransferRecord]:
    """Note that each `(product id, proposal)` was carried out, in the caller's one
    transaction (a plan's list marked shipped); each record's key is `key` and its
    product, so the same `key` records none twice."""
    # Every product's snapshot in a few set-based reads, not two queries per line.
    known = snapshots_by_ids(session, [product_id for product_id, _ in moves], now)
    records = [
        _new_record(
            session,
            product_id,
            proposal,
            user,
            f"{key[:180]}:{product_id}",
            now,
            known,
        )
        for product_id, proposal in moves
    ]
    refresh_totals(session, sorted({product_id for product_id, _ in moves}), rules)
    return records


def _new_record(
    session: Session,
    product_id: int,
    proposal: TransferProposal,
    user: str,
    key: str,
    now: datetime,
    known: dict[int, ProductSnapshot] | None = None,
) -> TransferRecord:
    """The record, flushed; `known` holds the products' snapshots when read already."""
    if known is None:
        known = snapshots_by_ids(session, [product_id], now)
    snapshot = known.get(product_id)
    offer = snapshot.offer(proposal.to_account) if snapshot is not None else None
    source = positions(snapshot)[proposal.from_account] if snapshot is not None else None
    record = TransferRecord(
        product_id=product_id,
        from_account=proposal.from_account,
        to_account=proposal.to_account,
        amount=proposal.amount,
        recorded_by=user,
        recorded_at=now,
        idempotency_key=key[:200],
        main_stock_written=False,
        stock_before=(offer.stock if offer is not None else None) or 0,
        source_before=source.on_hand if source is not None and source.listed else None,
        status="in_transit",
        lost_before=_loss_of(snapshot, proposal.to_account),
    )
    session.add(record)
    session.flush()
    return record


def _loss(session: Session, product_id: int, account: str, now: datetime) -> Decimal | None:
    """RON a day the account of the product loses now (bot.engine.demand)."""
    return _loss_of(snapshots_by_ids(session, [product_id], now).get(product_id), account)


def _loss_of(snapshot: ProductSnapshot | None, account: str) -> Decimal | None:
    if snapshot is None:
        return None
    lost = lost_sales_per_day(positions(snapshot)[account])  # type: ignore[index]
    return None if lost is None else Decimal(str(lost))


Source = aliased(Offer, name="source")


def settle_transits(session: Session, now: datetime, rules: Rules) -> int:
    """Move open transfers on: arrived when the stock shows them, overdue after
    `transit_days`, lost after twice that; gone from the source when its stock shows
    that. Returns how many products changed."""
    rows = session.execute(
        select(TransferRecord, Offer.stock, Source.stock)
        .outerjoin(
            Offer,
            (Offer.product_id == TransferRecord.product_id)
            & (Offer.account == TransferRecord.to_account),
        )
        .outerjoin(
            Source,
            (Source.product_id == TransferRecord.product_id)
            & (Source.account == TransferRecord.from_account),
        )
        .where(TransferRecord.status.in_(OPEN))
    ).all()
    due, lost = (
        now - timedelta(days=rules.transit_days),
        now - timedelta(days=2 * rules.transit_days),
    )
    changed: set[int] = set()
    for record, stock, source_stock in rows:
        if _left_source(record, source_stock):
            record.left_source_at = now
            changed.add(record.product_id)
        status = record.status
        if stock is not None and stock >= (record.stock_before or 0) + record.amount:
            status = "arrived"
        elif record.recorded_at <= lost:
            status = "lost"
        elif record.recorded_at <= due:
            status = "overdue"
        if status != record.status:
            record.status = status
            record.settled_at = now if status in ("arrived", "lost") else None
            if status == "arrived":
                # What following the recommendation earned, once the units are there.
                record.lost_after = _loss(session, record.product_id, record.to_account, now)
            changed.add(record.product_id)
    if changed:
        session.flush()
        refresh_totals(session, sorted(changed), rules)
    return len(changed)


def _left_source(record: TransferRecord, source_stock: int | None) -> bool:
    """The source's stock shows this transfer's units gone for the first time."""
    if record.left_source_at is not None or record.source_before is None:
        return False
    return source_stock is None or source_stock <= record.source_before - record.amount


def refresh_totals(session: Session, product_ids: Iterable[int], rules: Rules) -> None:
    """Write each offer's in-transit and overdue totals from the open transfers, and
    reclassify the products."""
    ids = list(product_ids)
    for chunk in chunks(ids):
        session.execute(
            update(Offer)
            .where(Offer.product_id.in_(chunk))
            .values(
                in_transit=0,
                in_transit_since=None,
                overdue_transit=0,
                overdue_since=None,
                outgoing_transit=0,
            )
            .execution_options(synchronize_session=False)
        )
        _write_outgoing(session, chunk)
        totals = session.execute(
            select(
                TransferRecord.product_id,
                TransferRecord.to_account,
                TransferRecord.status,
                func.sum(TransferRecord.amount),
                func.min(TransferRecord.recorded_at),
            )
            .where(TransferRecord.product_id.in_(chunk), TransferRecord.status.in_(OPEN))
            .group_by(TransferRecord.product_id, TransferRecord.to_account, TransferRecord.status)
        ).all()
        for product_id, account, status, units, since in totals:
            fields = (
                {"in_transit": units, "in_transit_since": since}
                if status == "in_transit"
                else {"overdue_transit": units, "overdue_since": since}
            )
            session.execute(
                update(Offer)
                .where(Offer.product_id == product_id, Offer.account == account)
                .values(**fields)
                .execution_options(synchronize_session=False)
            )
    refresh_status(session, rules, ids)


def _write_outgoing(session: Session, product_ids: list[int]) -> None:
    """Each source offer's units sent in open transfers that its stock still shows."""
    totals = session.execute(
        select(
            TransferRecord.product_id, TransferRecord.from_account, func.sum(TransferRecord.amount)
        )
        .where(
            TransferRecord.product_id.in_(product_ids),
            TransferRecord.status.in_(OPEN),
            TransferRecord.source_before.is_not(None),
            TransferRecord.left_source_at.is_(None),
        )
        .group_by(TransferRecord.product_id, TransferRecord.from_account)
    ).all()
    for product_id, account, units in totals:
        session.execute(
            update(Offer)
            .where(Offer.product_id == product_id, Offer.account == account)
            .values(outgoing_transit=units)
            .execution_options(synchronize_session=False)
        )
