"""Thresholds per product category from a TOML file (STOCKBOT_RULES):

    [category."Telefoane"]
    low_stock = 10
    cover_days = 21

A table overrides any of OVERRIDABLE for the products of that category; the rest follow
the global settings. Every mistake (an unknown key, a bad value, a table that is not a
category, a category no product has) is one line naming the file, the line and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.engine.models import CategoryRules, Rules, category_key
from bot.engine.phrases import N_
from bot.errors import StockbotError

# Each threshold a category may set, with the range the global setting allows.
OVERRIDABLE: dict[str, tuple[int, int]] = {
    "low_stock": (1, 65535),
    "transfer_cap": (1, 65535),
    "source_floor": (0, 65535),
    "idle_floor": (0, 65535),
    "cover_days": (1, 365),
    "supply_lead_days": (0, 365),
    "weekly_update_days": (1, 365),
}


# The global thresholds' row, named for a person (bot/cli translates it).
EVERY_OTHER = N_("(every other product)")


class RulesFileError(StockbotError):
    """The rules file cannot be used; the message names the file, line and key."""


def _line_of(text: str, pattern: str, after: int = 0) -> int:
    """The 1-based line where `pattern` first matches at or after line `after`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= after and re.search(pattern, line):
            return number
    return after or 1


def load_rules(path: str | Path, rules: Rules) -> Rules:
    """`rules` with the file's categories added, or RulesFileError in one line."""
    where = Path(path)
    try:
        text = where.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesFileError(f"{where}: cannot read it ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(f"{where}: {exc}") from None
    unknown = [name for name in data if name != "category"]
    if unknown:
        line = _line_of(text, rf"^\s*\[?\s*{re.escape(unknown[0])}\b")
        raise RulesFileError(
            f'{where}, line {line}: {unknown[0]!r} is not a category table; write [category."Name"]'
        )
    categories: dict[str, CategoryRules] = {}
    for name, table in (data.get("category") or {}).items():
        start = _line_of(text, rf"^\s*\[\s*category\.\s*\"?{re.escape(name)}\"?\s*\]")
        if not isinstance(table, dict):
            raise RulesFileError(f"{where}, line {start}: category {name!r} must be a table")
        categories[category_key(name)] = CategoryRules(
            name=name, overrides=_overrides(where, text, start, name, table)
        )
    return rules.model_copy(update={"categories": categories})


def _overrides(
    where: Path, text: str, start: int, category: str, table: dict[str, Any]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, value in table.items():
        line = _line_of(text, rf"^\s*{re.escape(key)}\s*=", start)
        if key not in OVERRIDABLE:
            raise RulesFileError(
                f"{where}, line {line}: unknown key {key!r} in category {category!r}; "
                f"use {', '.join(OVERRIDABLE)}"
            )
        low, high = OVERRIDABLE[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise RulesFileError(
                f"{where}, line {line}: {key} must be a whole number from {low} to {high}, "
                f"not {value!r}"
            )
        found[key] = value
    return found


def check_categories(path: str | Path, rules: Rules, known: Iterable[str]) -> None:
    """A category of the file that no product has is most likely misspelt: say so.
    `known` are the catalogue's category keys; an uncategorised catalogue checks none."""
    have = set(known)
    if not have:
        return
    text = Path(path).read_text(encoding="utf-8")
    for key, category in rules.categories.items():
        if key not in have:
            line = _line_of(text, rf"\[\s*category\.\s*\"?{re.escape(category.name)}")
            raise RulesFileError(
                f"{path}, line {line}: no product is in category {category.name!r} "
                "(names are compared without case)"
            )


def describe(rules: Rules) -> list[tuple[str, dict[str, int]]]:
    """Per category, the thresholds in force (the global ones first)."""
    names = sorted(OVERRIDABLE)
    rows = [(EVERY_OTHER, {name: getattr(rules, name) for name in names})]
    for key in sorted(rules.categories):
        applied = rules.for_category(key)
        rows.append((rules.categories[key].name, {name: getattr(applied, name) for name in names}))
    return rows
