"""The words every surface shares (CLI, Slack, dashboard): recommendation lines, issue
names and KPI labels. The one place a translation will read from."""

from __future__ import annotations

from bot.engine.models import Recommendation
from bot.kpis import Kpi

_ISSUE_LABELS = {
    "zero_stock_with_competition": "zero stock with competition",
    "low_stock_with_competition": "low stock with competition",
    "needs_weekly_update": "needs weekly update",
    "imbalanced": "imbalanced",
}


def issue_label(issue: str) -> str:
    return _ISSUE_LABELS.get(issue, issue.replace("_", " "))


def recommendation_action(rec: Recommendation) -> str:
    """What to do, in a few words: "stock transfer: move 10 FBE -> MAIN"."""
    if rec.is_transfer:
        return (
            f"{rec.type.replace('_', ' ')}: move {rec.suggested_amount} "
            f"{(rec.from_account or '').upper()} -> {(rec.to_account or '').upper()}"
        )
    if rec.type == "offer_update":
        return f"offer update on {(rec.account or '').upper()}"
    return f"{rec.type.replace('_', ' ')} on {(rec.account or '').upper()}"


def recommendation_line(rec: Recommendation) -> str:
    """One line a person reads: priority, what to do, why."""
    return f"[{rec.priority.upper()}] {recommendation_action(rec)} - {rec.reason}"


KPI_LABELS = {
    "zero_stock_with_competition": "zero stock with competition",
    "estimated_lost_sales": "estimated lost sales",
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
