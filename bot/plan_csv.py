"""The weekly plan as a CSV file that opens in Excel: UTF-8 with a BOM, `;` and a decimal
comma when STOCKBOT_LANGUAGE is ro (Romanian Excel's list separator), `,` otherwise; the
header row always; every cell that a spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import csv
import io

from bot.engine.plan import Plan, PlanLine
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


def plan_csv(plan: Plan) -> bytes:
    """The three lists, one line a row, under one header row."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if language() == "ro" else ",", lineterminator="\r\n")
    writer.writerow(_headers())
    for plan_list in plan.lists():
        title = list_title(plan_list.name)
        for line in plan_list.lines:
            writer.writerow([neutralised(cell) for cell in _row(title, line)])
    return (BOM + out.getvalue()).encode("utf-8")


def csv_filename(plan: Plan) -> str:
    return f"stock-plan-{plan.generated_at:%Y-%m-%d}.csv"
