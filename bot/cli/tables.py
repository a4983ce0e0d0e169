"""Plain-text building blocks for the terminal: tables, wrapping to its width, times."""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime

from bot.formats import moment_text
from bot.i18n import _


def when_text(moment: datetime | None) -> str:
    """A local time with its zone, "unknown" when there is none."""
    return moment_text(moment) if moment else _("unknown")


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell, a rule under the header. Wider than the
    terminal, the last columns (the longest words: a recommendation, a long name) leave
    the grid one by one and follow each row on lines of their own, wrapped."""
    kept = len(headers)
    grid = _grid(headers, rows)
    while kept > 1 and max(len(line) for line in grid) > width():
        kept -= 1
        grid = _grid(headers[:kept], [row[:kept] for row in rows])
    out = grid[:2]
    for line, row in zip(grid[2:], rows, strict=True):
        out.append(line)
        for header, cell in zip(headers[kept:], row[kept:], strict=True):
            if cell and cell != "-":
                out += wrapped(f"{header}: {cell}", "    ", "  ")
    return "\n".join(out)


def _grid(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)
    ]
    lines = [
        " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [headers, *rows]
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return [line.rstrip() for line in lines]


def count_text(value: int | None) -> str:
    """A count, "-" when unknown."""
    return "-" if value is None else str(value)


def width() -> int:
    """The terminal's width (COLUMNS when set), 80 when it cannot be told."""
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def wrapped(text: str, indent: str = "", hang: str = "    ") -> list[str]:
    """`text` wrapped to the terminal, later lines hanging under `indent + hang`."""
    return textwrap.wrap(text, width(), initial_indent=indent, subsequent_indent=indent + hang) or [
        indent
    ]
