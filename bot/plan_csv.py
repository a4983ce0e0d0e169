"""The weekly plan as a CSV file that opens in Excel: UTF-8 with a BOM, `;` and a decimal
comma when STOCKBOT_LANGUAGE is ro (Romanian Excel's list separator), `,` otherwise; the
header row always; every cell that a spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TextIO

from bot.engine.plan import LIST_NAMES, ListName, Plan, PlanLine
from bot.formats import language
from bot.i18n import _
from bot.plan_words import list_title

BOM = "\ufeff"
# OWASP, CSV Injection: a cell starting with one of these is read as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: str) -> str:
    """`cell`, with a leading apostrophe when a spreadsheet would take it as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _headers() -> list[str]:
    return [
        _("list"),
        "SKU",
        "PNK",
        "EAN",
        _("name"),
        _("from"),
        _("to"),
        _("units"),
        _("in transit"),
        _("days of cover before"),
        _("days of cover after"),
        _("RON/day prevented"),
    ]


def _decimal(value: float | None, digits: int) -> str:
    if value is None:
        return ""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language() == "ro" else text


def _row(title: str, line: PlanLine) -> list[str]:
    return [
        title,
        line.sku,
        line.pnk or "",
        line.ean or "",
        line.name or "",
        (line.from_account or "").upper(),
        line.to_account.upper(),
        "" if line.units is None else str(line.units),
        str(line.in_transit),
        _decimal(line.days_of_cover_before, 1),
        _decimal(line.days_of_cover_after, 1),
        _decimal(line.lost_sales_per_day_prevented, 2),
    ]


def write_plan_csv(lines: Iterable[tuple[ListName, PlanLine]], out: TextIO) -> None:
    """The lines (each with its list), one a row, under one header row, written to
    `out` as they come (opened with newline="": the rows end in CRLF)."""
    out.write(BOM)
    writer = csv.writer(out, delimiter=";" if language() == "ro" else ",", lineterminator="\r\n")
    writer.writerow(_headers())
    titles = {name: list_title(name) for name in LIST_NAMES}
    for name, line in lines:
        writer.writerow([neutralised(cell) for cell in _row(titles[name], line)])


def plan_csv(lines: Iterable[tuple[ListName, PlanLine]]) -> bytes:
    """The whole file, e.g. of bot.plan_service.plan_lines, as UTF-8 bytes."""
    out = io.StringIO()
    write_plan_csv(lines, out)
    return out.getvalue().encode("utf-8")


def csv_filename(plan: Plan) -> str:
    return f"stock-plan-{plan.generated_at:%Y-%m-%d}.csv"
