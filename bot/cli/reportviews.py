"""Plain-text renderings of the catalogue-wide reports for the terminal: per category,
bulk analysis, KPIs."""

from __future__ import annotations

from bot.cli.tables import table, when_text, wrapped
from bot.i18n import _
from bot.kpis import KpiReport
from bot.reports import BulkReport, CategorySummary
from bot.wording import (
    KPI_LABELS,
    kpi_value,
    money_per_day,
    percent,
    priority_label,
    recommendation_line,
    stock_text,
)


def render_categories(found: list[CategorySummary]) -> str:
    """The summary numbers per category, one row each."""
    rows = [
        [
            item.category or _("(no category)"),
            str(item.products),
            f"{item.high} / {item.medium} / {item.low}",
            money_per_day(item.estimated_lost_sales_per_day),
            percent(item.weekly_update_compliance_pct),
        ]
        for item in found
    ]
    headers = [_("category"), _("products"), _("high/med/low"), _("lost now"), _("weekly updates")]
    return table(headers, rows)


def render_bulk(report: BulkReport) -> str:
    rows = []
    for item in report.results:
        if item.analysis is None:
            rows.append([item.sku, _("not found"), "-", "-", "-"])
            continue
        analysis = item.analysis
        top = analysis.recommendations[0] if analysis.recommendations else None
        rows.append(
            [
                analysis.sku,
                priority_label(analysis.priority),
                stock_text(analysis, "main"),
                stock_text(analysis, "fbe"),
                recommendation_line(top) if top else "-",
            ]
        )
    head = _("{found} of {requested} found; {action} need action, {high} high").format(
        found=report.found,
        requested=report.requested,
        action=report.summary.action_required,
        high=report.summary.high_priority,
    )
    headers = ["sku", _("priority"), "main", "fbe", _("top recommendation")]
    return head + "\n" + table(headers, rows)


def render_kpis(report: KpiReport) -> str:
    head = _("KPIs over the last {days} days (to {moment})").format(
        days=report.days, moment=when_text(report.until)
    )
    rows = [[_(label), kpi_value(getattr(report, name))] for name, label in KPI_LABELS.items()]
    parts = [
        head,
        table([_("kpi"), _("value")], rows),
        _("What following the recommendations earned:"),
    ]
    earned = report.earnings
    for name, item in [(_("all products"), earned.total), *earned.by_category.items()]:
        parts += wrapped(
            _(
                "{name}: {amount} recovered by {transfers} transfers that arrived; buy button "
                "back after {followed} of {acted} shortages acted on vs {left_pct} of "
                "{left} left alone"
            ).format(
                name=name,
                amount=money_per_day(item.recovered_per_day),
                transfers=item.transfers_arrived,
                followed=percent(item.recovered_followed_pct),
                acted=item.shortages_followed,
                left_pct=percent(item.recovered_left_alone_pct),
                left=item.shortages_left_alone,
            ),
            "  ",
        )
    return "\n".join(parts)
