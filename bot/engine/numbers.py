"""Whole numbers typed by people, read strictly: ASCII digits with at most one sign.

`str.isdigit()` also accepts "²" or "٣", which `int()` then refuses with a ValueError
that would escape as a crash instead of a clear "must be a whole number" message.
"""

from __future__ import annotations

import re

_WHOLE = re.compile(r"[+-]?[0-9]{1,18}")


def whole_number(value: object) -> int | None:
    """The integer `value` spells (surrounding spaces allowed), or None."""
    text = str(value).strip()
    return int(text) if _WHOLE.fullmatch(text) else None
