"""The engine: pure functions over one product's snapshot (engine.md).

It may import only pydantic, the standard library and `bot.errors`: nothing of storage,
Slack, eMAG, the web or the jobs. Callers say `from bot import engine` and use the names
below; `tests/test_layout.py` holds these bounds.

The names load on first use (PEP 562): `from bot.engine import limits` in the CSV
reader's process, or the command line's start, then costs that module alone and not
every scenario and model of the engine.
"""

from __future__ import annotations

from typing import Any

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


def __getattr__(name: str) -> Any:
    # Each branch names its module, so the tree's import graph (tests/test_layout.py)
    # still sees every edge.
    if name in ("Position", "positions"):
        from bot.engine import competition as module
    elif name in ("keep", "need", "spare"):
        from bot.engine import demand as module
    elif name in ("data_as_of", "days_since", "is_stale"):
        from bot.engine import freshness as module
    elif name in ("analyze", "highest_priority"):
        from bot.engine import scenarios as module
    elif name in ("parse_account", "parse_amount", "parse_proposal", "validate_transfer"):
        from bot.engine import validation as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value
