"""The engine: pure functions over one product's snapshot (engine.md).

It may import only pydantic, the standard library and `bot.errors`: nothing of storage,
Slack, eMAG, the web or the jobs. Callers say `from bot import engine` and use the names
below; `tests/test_layout.py` holds these bounds.
"""

from bot.engine.competition import Position, positions
from bot.engine.demand import keep, need, spare
from bot.engine.freshness import data_as_of, days_since, is_stale
from bot.engine.scenarios import analyze, highest_priority
from bot.engine.validation import parse_account, parse_amount, parse_proposal, validate_transfer

__all__ = [
    "Position",
    "analyze",
    "data_as_of",
    "days_since",
    "highest_priority",
    "is_stale",
    "keep",
    "need",
    "parse_account",
    "parse_amount",
    "parse_proposal",
    "positions",
    "spare",
    "validate_transfer",
]
