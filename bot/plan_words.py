"""The words every surface says the weekly plan with (CLI, Slack, dashboard, CSV): each
list's title, its totals, a line's change of cover, in the active language."""

from __future__ import annotations

from bot.engine.phrases import N_
from bot.engine.plan import ListName, PlanLine, PlanList
from bot.formats import number
from bot.i18n import _, counted
from bot.wording import UNKNOWN, money_per_day

_TITLES: dict[ListName, str] = {
    "inbound": N_("Inbound to FBE (MAIN -> FBE)"),
    "withdrawal": N_("Withdrawal from FBE (FBE -> MAIN)"),
    "purchase": N_("Purchase from the supplier"),
}


def list_title(name: ListName) -> str:
    return _(_TITLES[name])


def totals_text(plan_list: PlanList) -> str:
    """e.g. "84 units, 3 SKUs, RON 600.00/day at stake"; and what was left out."""
    text = _("{units}, {skus}, {worth} at stake").format(
        units=counted(plan_list.units, "{n} unit", "{n} units"),
        skus=counted(plan_list.skus, "{n} SKU", "{n} SKUs"),
        worth=money_per_day(plan_list.lost_sales_per_day),
    )
    if plan_list.without_quantity:
        text += "; " + counted(
            plan_list.without_quantity,
            "{n} without a quantity (no sales data)",
            "{n} without a quantity (no sales data)",
        )
    if plan_list.below_minimum:
        text += "; " + counted(
            plan_list.below_minimum,
            "{n} line under the minimum left out",
            "{n} lines under the minimum left out",
        )
    return text


def days_text(days: float | None) -> str:
    return UNKNOWN if days is None else number(days)


def cover_change(line: PlanLine) -> str:
    """Days of cover on the destination before -> after, e.g. "0.0 -> 14.0 d"; "no sales
    data" when there is no pace to count days by (never a bare "— -> — d")."""
    if line.days_of_cover_before is None and line.days_of_cover_after is None:
        return _("no sales data")
    return _("{before} -> {after} d").format(
        before=days_text(line.days_of_cover_before), after=days_text(line.days_of_cover_after)
    )


def units_text(line: PlanLine) -> str:
    return UNKNOWN if line.units is None else str(line.units)
