"""The words every surface shares (CLI, Slack, dashboard): recommendation lines, issue
names and KPI labels, in the active language (bot/i18n.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.engine.models import Analysis, CurrentSituation, Recommendation
from bot.engine.phrases import N_
from bot.formats import day, money, number
from bot.i18n import _, engine_text
from bot.kpis import Kpi
from bot.reports import AlertEntry

_ISSUE_LABELS = {
    "zero_stock_with_competition": N_("zero stock with competition"),
    "low_stock_with_competition": N_("low stock with competition"),
    "needs_weekly_update": N_("needs weekly update"),
    "imbalanced": N_("imbalanced"),
    "unsellable_offer": N_("offer cannot sell"),
    "transfer_not_arrived": N_("transfer not arrived"),
    "buy_button_lost": N_("buy button lost"),
    "new_seller": N_("new seller on the PNK"),
}
UNKNOWN = "—"
UTC_ZONE = ZoneInfo("UTC")


def issue_label(issue: str) -> str:
    return _(_ISSUE_LABELS[issue]) if issue in _ISSUE_LABELS else issue.replace("_", " ")


def sales_text(per_day: float | None) -> str:
    """Units sold per day, e.g. "8.0/day"; "no sales data" when unknown (never 0)."""
    return _("no sales data") if per_day is None else _("{count}/day").format(count=number(per_day))


def cover_text(days: float | None, per_day: float | None) -> str:
    """Days the stock lasts, e.g. "13.0 days"; "no sales" or "—" when it is no number."""
    if days is not None:
        return _("{count} days").format(count=number(days))
    return _("no sales") if per_day == 0 else UNKNOWN


def percent(value: float | None) -> str:
    """e.g. "92.5%"; "—" when there is nothing to measure."""
    return UNKNOWN if value is None else f"{number(value)}%"


def empty_catalogue() -> str:
    """What an empty catalogue says, and what to run next."""
    return _(
        "The catalogue is empty: import offers (`stockbot import FILE.csv`), sync them from "
        "eMAG (`stockbot sync`) or try the demo (`stockbot demo`)."
    )


def money_per_day(value: float | Decimal | None) -> str:
    """Lei a day, said so, e.g. "RON 69.30/day"; unknown said as such."""
    return _("unknown") if value is None else _("{amount}/day").format(amount=money(value))


def when(moment: datetime, zone: ZoneInfo = UTC_ZONE) -> str:
    """A short local date, e.g. "Mon 30 Nov"."""
    return day(moment, zone)


def transit_text(
    units: int, account: str, since: datetime | None, zone: ZoneInfo = UTC_ZONE
) -> str:
    """e.g. "10 in transit to MAIN since Mon 30 Nov"; "" when nothing is in transit."""
    if not units:
        return ""
    if since is None:
        return _("{units} in transit to {account}").format(units=units, account=account.upper())
    return _("{units} in transit to {account} since {day}").format(
        units=units, account=account.upper(), day=when(since, zone)
    )


def snooze_text(until: datetime | None, by: str | None, zone: ZoneInfo = UTC_ZONE) -> str:
    """e.g. "snoozed until Fri 04 Dec by U123"; "" when not snoozed."""
    if until is None:
        return ""
    if not by:
        return _("snoozed until {day}").format(day=when(until, zone))
    return _("snoozed until {day} by {who}").format(day=when(until, zone), who=by)


def account_numbers(situation: CurrentSituation | AlertEntry, account: str, listed: bool) -> str:
    """One account's numbers, e.g. "MAIN 0 (0.7/day, 0.0 days)"; "MAIN not listed"."""
    name = account.upper()
    if not listed:
        return _("{account} not listed").format(account=name)
    stock = getattr(situation, f"stock_{account}")
    pace = getattr(situation, f"sales_per_day_{account}")
    cover = getattr(situation, f"days_of_cover_{account}")
    return f"{name} {stock} ({sales_text(pace)}, {cover_text(cover, pace)})"


def recommendation_action(rec: Recommendation) -> str:
    """What to do, in a few words: "stock transfer: move 10 FBE -> MAIN"."""
    account = (rec.account or "").upper()
    if rec.is_transfer:
        return _("{kind}: move {units} {source} -> {destination}").format(
            kind=type_label(rec.type),
            units=rec.suggested_amount,
            source=(rec.from_account or "").upper(),
            destination=(rec.to_account or "").upper(),
        )
    if rec.type == "offer_update":
        return _("offer update on {account}").format(account=account)
    if rec.type == "fix_offer":
        return _("fix the offer on {account}").format(account=account)
    if rec.type == "check_transfer":
        return _("check the transfer to {account}").format(account=account)
    if rec.type == "restock" and rec.suggested_amount is not None:
        return _("restock {units} on {account}").format(units=rec.suggested_amount, account=account)
    return _("{kind} on {account}").format(kind=type_label(rec.type), account=account)


# Recommendations whose line carries their impact: the price gap is why they matter, and
# the alerts list and the digest show only the line.
WATCH_TYPES = frozenset({"buy_button_lost", "new_seller"})


def recommendation_line(rec: Recommendation) -> str:
    """One line a person reads: priority, what to do, why (and the price gap)."""
    line = (
        f"[{priority_label(rec.priority).upper()}] {recommendation_action(rec)} - "
        + engine_text(rec.reason)
    )
    if rec.type in WATCH_TYPES and rec.impact:
        line += "; " + engine_text(rec.impact)
    return line


KPI_LABELS = {
    "zero_stock_with_competition": N_("zero stock with competition"),
    "estimated_lost_sales": N_("estimated lost sales over the period"),
    "mean_time_to_resolution": N_("mean time to resolution"),
    "weekly_update_compliance": N_("weekly-update compliance"),
    "distribution_efficiency": N_("distribution efficiency"),
    "buy_button_recovery_rate": N_("buy-button recovery rate"),
}


def kpi_value(kpi: Kpi) -> str:
    """e.g. "90.0 % (+40.0 over the period)"; "-" when there is no history."""
    if kpi.value is None:
        return "-"
    if kpi.unit == "RON":
        text = money(kpi.value)
    else:
        text = f"{number(kpi.value)} {_(_UNITS.get(kpi.unit, kpi.unit))}"
    if kpi.change is not None:
        sign = "+" if kpi.change >= 0 else "-"
        text += " " + _("({change} over the period)").format(change=sign + number(abs(kpi.change)))
    return text


_UNITS = {"products": N_("products"), "hours": N_("hours"), "%": "%"}
_PRIORITIES = {
    "high": N_("high"),
    "medium": N_("medium"),
    "low": N_("low"),
    "normal": N_("normal"),
}
_TYPES = {
    "stock_transfer": N_("stock transfer"),
    "stock_rebalance": N_("stock rebalance"),
    "stock_optimization": N_("stock optimization"),
    "stock_alert": N_("stock alert"),
    "restock": N_("restock"),
    "offer_update": N_("offer update"),
    "fix_offer": N_("fix offer"),
    "check_transfer": N_("check transfer"),
    "buy_button_lost": N_("buy button lost"),
    "new_seller": N_("new seller"),
}


def priority_label(priority: str) -> str:
    """ "high", "ridicată", ...: a priority as a person reads it."""
    return _(_PRIORITIES[priority]) if priority in _PRIORITIES else priority


def type_label(kind: str) -> str:
    """ "stock transfer", "transfer de stoc", ...: a recommendation's type in words."""
    return _(_TYPES[kind]) if kind in _TYPES else kind.replace("_", " ")


_RUN_STATUSES = {
    "ok": N_("ok"),
    "failed": N_("failed"),
    "partial": N_("partial"),
    "sent": N_("sent"),
    "skipped": N_("skipped"),
}


def run_status(status: str | None) -> str:
    """How the last read of an account went, in words ("never read" before the first)."""
    if status is None:
        return _("never read")
    return _(_RUN_STATUSES[status]) if status in _RUN_STATUSES else status


def stock_text(analysis: Analysis, account: str) -> str:
    """An account's stock, or "not listed" where it has no offer (never shown as 0)."""
    if account not in analysis.listed_on:
        return _("not listed")
    return str(getattr(analysis.current_situation, f"stock_{account}"))
