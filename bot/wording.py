"""The words every surface shares (CLI, Slack, dashboard): recommendation lines, issue
names and KPI labels. The one place a translation will read from."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.engine.models import CurrentSituation, Recommendation
from bot.formats import day, money, number
from bot.kpis import Kpi
from bot.reports import AlertEntry

_ISSUE_LABELS = {
    "zero_stock_with_competition": "zero stock with competition",
    "low_stock_with_competition": "low stock with competition",
    "needs_weekly_update": "needs weekly update",
    "imbalanced": "imbalanced",
    "unsellable_offer": "offer cannot sell",
}
UNKNOWN = "—"
UTC_ZONE = ZoneInfo("UTC")


def issue_label(issue: str) -> str:
    return _ISSUE_LABELS.get(issue, issue.replace("_", " "))


def sales_text(per_day: float | None) -> str:
    """Units sold per day, e.g. "8.0/day"; "no sales data" when unknown (never 0)."""
    return "no sales data" if per_day is None else f"{number(per_day)}/day"


def cover_text(days: float | None, per_day: float | None) -> str:
    """Days the stock lasts, e.g. "13.0 days"; "no sales" or "—" when it is no number."""
    if days is not None:
        return f"{number(days)} days"
    return "no sales" if per_day == 0 else UNKNOWN


def percent(value: float | None) -> str:
    """e.g. "92.5%"; "—" when there is nothing to measure."""
    return UNKNOWN if value is None else f"{value}%"


EMPTY_CATALOGUE = (
    "The catalogue is empty: import offers (`stockbot import FILE.csv`), sync them from "
    "eMAG (`stockbot sync`) or try the demo (`stockbot demo`)."
)


def money_per_day(value: float | Decimal | None) -> str:
    """Lei a day, said so, e.g. "RON 69.30/day"; unknown said as such."""
    return "unknown" if value is None else f"{money(value)}/day"


def when(moment: datetime, zone: ZoneInfo = UTC_ZONE) -> str:
    """A short local date, e.g. "Mon 30 Nov"."""
    return day(moment, zone)


def transit_text(
    units: int, account: str, since: datetime | None, zone: ZoneInfo = UTC_ZONE
) -> str:
    """e.g. "10 in transit to MAIN since Mon 30 Nov"; "" when nothing is in transit."""
    if not units:
        return ""
    return f"{units} in transit to {account.upper()}" + (
        f" since {when(since, zone)}" if since else ""
    )


def snooze_text(until: datetime | None, by: str | None, zone: ZoneInfo = UTC_ZONE) -> str:
    """e.g. "snoozed until Fri 04 Dec by U123"; "" when not snoozed."""
    if until is None:
        return ""
    return f"snoozed until {when(until, zone)}" + (f" by {by}" if by else "")


def account_numbers(situation: CurrentSituation | AlertEntry, account: str, listed: bool) -> str:
    """One account's numbers, e.g. "MAIN 0 (0.7/day, 0.0 days)"; "MAIN not listed"."""
    name = account.upper()
    if not listed:
        return f"{name} not listed"
    stock = getattr(situation, f"stock_{account}")
    pace = getattr(situation, f"sales_per_day_{account}")
    cover = getattr(situation, f"days_of_cover_{account}")
    return f"{name} {stock} ({sales_text(pace)}, {cover_text(cover, pace)})"


def recommendation_action(rec: Recommendation) -> str:
    """What to do, in a few words: "stock transfer: move 10 FBE -> MAIN"."""
    if rec.is_transfer:
        return (
            f"{rec.type.replace('_', ' ')}: move {rec.suggested_amount} "
            f"{(rec.from_account or '').upper()} -> {(rec.to_account or '').upper()}"
        )
    if rec.type == "offer_update":
        return f"offer update on {(rec.account or '').upper()}"
    if rec.type == "fix_offer":
        return f"fix the offer on {(rec.account or '').upper()}"
    if rec.type == "check_transfer":
        return f"check the transfer to {(rec.account or '').upper()}"
    if rec.type == "restock" and rec.suggested_amount is not None:
        return f"restock {rec.suggested_amount} on {(rec.account or '').upper()}"
    return f"{rec.type.replace('_', ' ')} on {(rec.account or '').upper()}"


def recommendation_line(rec: Recommendation) -> str:
    """One line a person reads: priority, what to do, why."""
    return f"[{rec.priority.upper()}] {recommendation_action(rec)} - {rec.reason}"


KPI_LABELS = {
    "zero_stock_with_competition": "zero stock with competition",
    "estimated_lost_sales": "estimated lost sales over the period",
    "mean_time_to_resolution": "mean time to resolution",
    "weekly_update_compliance": "weekly-update compliance",
    "distribution_efficiency": "distribution efficiency",
    "buy_button_recovery_rate": "buy-button recovery rate",
}


def kpi_value(kpi: Kpi) -> str:
    """e.g. "90.0 % (+40.0 over the period)"; "-" when there is no history."""
    if kpi.value is None:
        return "-"
    text = f"{kpi.value:.1f} {kpi.unit}"
    if kpi.change is not None:
        text += f" ({kpi.change:+.1f} over the period)"
    return text
