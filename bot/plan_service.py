"""The weekly plan over the catalogue, and marking one of its lists shipped.

Reads the products that may carry a transfer or a restock in batches (never the whole
catalogue at once), runs the engine on each and gathers the lines with
bot.engine.plan; every surface (CLI, Slack, REST, dashboard, the worker) asks here.

A plan depends only on the offers (and the units in transit), the rules and the minimum:
every write to those reclassifies its products and raises the catalogue's version, so a
service answers again from the plan it made while the version is unchanged (running the
engine over a 100k catalogue takes tens of seconds; a dashboard reload should not).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import cast
from weakref import WeakKeyDictionary

from bot import engine
from bot.engine.models import Analysis, ProductSnapshot, TransferProposal
from bot.engine.plan import ListName, Plan, PlanBuilder
from bot.errors import InvalidInput
from bot.i18n import _
from bot.service import StockService
from storage import plan_reads, queries
from storage.classifier import rules_key
from storage.db import transaction
from storage.transits import record_transfers

BATCH = 2000
SHIPPABLE: tuple[ListName, ...] = ("inbound", "withdrawal")
Advance = Callable[[int], None]
# Per service: (catalogue version, rules, minimum) and the plan made for them.
_made: WeakKeyDictionary[StockService, tuple[tuple[int, str, int], Plan]] = WeakKeyDictionary()


def plan_size(service: StockService) -> int:
    """How many products a plan examines (for a progress bar)."""
    service.current_status()
    with service.sessions() as session:
        return plan_reads.candidate_count(session)


def _analysed(
    service: StockService, advance: Advance | None
) -> Iterator[tuple[int, ProductSnapshot, Analysis]]:
    """(product id, snapshot, analysis) of each product that may be in the plan."""
    now = service.clock()
    service.current_status()
    after = 0
    while True:
        with service.sessions() as session:
            ids = plan_reads.candidate_ids(session, after, BATCH)
            snapshots = queries.snapshots_by_ids(session, ids, now)
        if not ids:
            return
        for product_id in ids:
            snapshot = snapshots[product_id]
            yield product_id, snapshot, engine.analyze(snapshot, now, service.rules)
        if advance is not None:
            advance(len(ids))
        after = ids[-1]


def build(service: StockService, min_units: int, advance: Advance | None = None) -> Plan:
    """The plan now: the three lists and their totals (the one made for the same
    catalogue version, rules and minimum when there is one)."""
    key = (service.current_status(), rules_key(service.rules), min_units)
    made = _made.get(service)
    if made is not None and made[0] == key:
        return made[1]
    builder = PlanBuilder(min_units)
    for _id, snapshot, analysis in _analysed(service, advance):
        builder.add(snapshot, analysis)
    plan = builder.plan(service.clock())
    _made[service] = (key, plan)
    return plan


def parse_list(value: str) -> ListName:
    """`inbound` or `withdrawal` (any case), else InvalidInput."""
    wanted = value.strip().lower()
    if wanted not in SHIPPABLE:
        raise InvalidInput(
            "list",
            _("only a transfer list can be marked shipped ({names}), not `{given}`").format(
                names=", ".join(SHIPPABLE), given=value.strip()[:40]
            ),
        )
    return cast(ListName, wanted)


@dataclass
class Shipped:
    """What marking a list shipped recorded."""

    name: ListName
    lines: int
    units: int


def mark_shipped(
    service: StockService, name: ListName, min_units: int, user: str, key: str
) -> Shipped:
    """Record every line of the plan's `name` list, as it stands now, as a transfer done
    (its units in transit), in one transaction; the same `key` records nothing twice."""
    builder = PlanBuilder(min_units)
    ids: dict[str, int] = {}
    for product_id, snapshot, analysis in _analysed(service, None):
        builder.add(snapshot, analysis)
        ids[analysis.sku] = product_id
    lines = [line for line in builder.plan(service.clock()).get(name).lines if line.units]
    moves = [
        (
            ids[line.sku],
            TransferProposal(
                sku=line.sku,
                from_account=line.from_account,
                to_account=line.to_account,
                amount=line.units or 0,
            ),
        )
        for line in lines
    ]
    if moves:
        with transaction(service.sessions) as session:
            record_transfers(session, moves, user, key, service.clock(), service.rules)
    return Shipped(name, len(moves), sum(proposal.amount for _id, proposal in moves))
