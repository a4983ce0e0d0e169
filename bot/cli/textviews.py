"""Plain-text renderings of the engine's answers for the terminal."""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime

from bot.engine.models import ACCOUNTS, Analysis, TransferCheck
from bot.formats import moment_text
from bot.kpis import KpiReport
from bot.reports import AlertEntry, AlertsReport, BulkReport, CategorySummary, Summary
from bot.wording import (
    EMPTY_CATALOGUE,
    KPI_LABELS,
    account_numbers,
    cover_text,
    kpi_value,
    money_per_day,
    percent,
    recommendation_line,
    sales_text,
    snooze_text,
    transit_text,
)


def _when(moment: datetime | None) -> str:
    return moment_text(moment) if moment else "unknown"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)
    ]
    lines = [
        " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [headers, *rows]
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _number(value: int | None) -> str:
    return "-" if value is None else str(value)


def _width() -> int:
    """The terminal's width (COLUMNS when set), 80 when it cannot be told."""
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def _wrapped(text: str, indent: str = "", hang: str = "    ") -> list[str]:
    return textwrap.wrap(
        text, _width(), initial_indent=indent, subsequent_indent=indent + hang
    ) or [indent]


def render_analysis(analysis: Analysis) -> str:
    situation = analysis.current_situation
    head = f"{analysis.sku}  PNK {analysis.pnk or '-'}  EAN {analysis.ean or '-'}"
    if analysis.name:
        head += f"  {analysis.name}"
    rows = [
        [
            account.upper(),
            str(getattr(situation, f"stock_{account}"))
            if account in analysis.listed_on
            else "not listed",
            _number(getattr(situation, f"offers_{account}")),
            _number(getattr(situation, f"competitors_{account}")),
            _number(getattr(situation, f"rank_{account}")),
            sales_text(getattr(situation, f"sales_per_day_{account}")),
            cover_text(
                getattr(situation, f"days_of_cover_{account}"),
                getattr(situation, f"sales_per_day_{account}"),
            ),
        ]
        for account in ACCOUNTS
    ]
    parts = _wrapped(head)
    parts.append(
        f"Priority: {analysis.priority}"
        + ("  (action required)" if analysis.action_required else "")
    )
    parts.append(_table(["account", "stock", "offers", "rivals", "rank", "sales", "cover"], rows))
    lost = [
        f"{account.upper()} {money_per_day(getattr(situation, f'lost_sales_per_day_{account}'))}"
        for account in ACCOUNTS
        if account in analysis.listed_on
    ]
    if lost:
        parts.append("Lost sales now: " + ", ".join(lost))
    for account in ACCOUNTS:
        moving = transit_text(
            getattr(situation, f"in_transit_{account}"),
            account,
            getattr(situation, f"in_transit_since_{account}"),
        )
        if moving:
            parts.append(f"In transit: {moving}")
    if analysis.snoozed_until:
        parts.append(snooze_text(analysis.snoozed_until, analysis.snoozed_by).capitalize())
    parts.append(f"Data as of {_when(analysis.data_as_of)}" + ("  STALE" if analysis.stale else ""))
    parts.append("Recommendations:")
    for rec in analysis.recommendations:
        parts += _wrapped(recommendation_line(rec), "  ")
    if not analysis.recommendations:
        parts.append("  none")
    for note in analysis.notes:
        parts += _wrapped(f"Note: {note}")
    return "\n".join(parts)


def render_transfer(check: TransferCheck) -> str:
    move = check.transfer
    source, destination = move["from_account"], move["to_account"]
    parts = [
        f"Transfer {move['amount']} x {check.sku}: {source.upper()} -> {destination.upper()}",
        _table(
            ["account", "now", "after"],
            [
                [
                    account.upper(),
                    str(check.current_state[f"stock_{account}"]),
                    str(check.proposed_state[f"stock_{account}"]),
                ]
                for account in (source, destination)
            ],
        ),
        f"Impact on {source.upper()}: {check.impact.from_account_impact}",
        f"Impact on {destination.upper()}: {check.impact.to_account_impact}",
    ]
    parts += [f"Warning: {warning}" for warning in check.warnings]
    parts += [f"Note: {note}" for note in check.notes]
    parts.append(f"Recommendation: {check.recommendation}")
    return "\n".join(parts)


def alert_lines(entry: AlertEntry) -> list[str]:
    """Two lines or so for one alert, wrapped to the terminal: its numbers, then what to
    do about it."""
    numbers = [account_numbers(entry, account, account in entry.listed_on) for account in ACCOUNTS]
    numbers.append(f"lost {money_per_day(entry.estimated_lost_sales_per_day)}")
    numbers += [
        text
        for text in (
            transit_text(entry.in_transit_main, "main", None),
            transit_text(entry.in_transit_fbe, "fbe", None),
            snooze_text(entry.snoozed_until, entry.snoozed_by),
            "STALE data" if entry.stale else "",
        )
        if text
    ]
    lines = _wrapped(f"{entry.sku} [{entry.priority.upper()}] " + "; ".join(numbers))
    rec = entry.top_recommendation
    lines += _wrapped(f"-> {recommendation_line(rec)}" if rec else "-> nothing to do", "  ")
    return lines


def render_alerts(report: AlertsReport) -> str:
    counts = ", ".join(f"{name} {count}" for name, count in report.counts.items())
    head = _wrapped(
        f"{report.total} products need attention ({counts}); "
        f"{report.maintenance_needed} need their weekly update; showing {len(report.alerts)}"
    )
    if not report.alerts:
        return "\n".join(head)
    legend = _wrapped("Per account: stock (sales per day, days of cover); lost = RON/day now")
    return "\n".join(
        [*head, *legend, *(line for entry in report.alerts for line in alert_lines(entry))]
    )


def render_summary(summary: Summary) -> str:
    rows = [
        ["products tracked", str(summary.products_tracked)],
        ["needing attention", str(summary.products_needing_attention)],
        ["high / medium / low", f"{summary.high} / {summary.medium} / {summary.low}"],
        ["zero stock with competition", str(summary.zero_stock_with_competition)],
        ["lost sales now", money_per_day(summary.estimated_lost_sales_per_day)],
        ["needing weekly update", str(summary.needs_weekly_update)],
        ["weekly-update compliance", percent(summary.weekly_update_compliance_pct)],
        ["data as of", _when(summary.data_as_of) + ("  STALE" if summary.stale else "")],
    ]
    for account, status in summary.accounts.items():
        state = status.last_run_status or "never read"
        if status.last_run_error:
            state += f" ({status.last_run_error})"
        rows.append([f"{account.upper()} last refresh", f"{_when(status.last_read_at)}, {state}"])
    table = _table(["", ""], rows).split("\n", 2)[2]
    return table if summary.products_tracked else "\n".join([*_wrapped(EMPTY_CATALOGUE), table])


def render_categories(found: list[CategorySummary]) -> str:
    """The summary numbers per category, one row each."""
    rows = [
        [
            item.category or "(no category)",
            str(item.products),
            f"{item.high} / {item.medium} / {item.low}",
            money_per_day(item.estimated_lost_sales_per_day),
            percent(item.weekly_update_compliance_pct),
        ]
        for item in found
    ]
    return _table(["category", "products", "high/med/low", "lost now", "weekly updates"], rows)


def render_bulk(report: BulkReport) -> str:
    rows = []
    for item in report.results:
        if item.analysis is None:
            rows.append([item.sku, "not found", "-", "-", "-"])
            continue
        analysis = item.analysis
        top = analysis.recommendations[0] if analysis.recommendations else None
        rows.append(
            [
                analysis.sku,
                analysis.priority,
                str(analysis.current_situation.stock_main),
                str(analysis.current_situation.stock_fbe),
                recommendation_line(top) if top else "-",
            ]
        )
    head = (
        f"{report.found} of {report.requested} found; {report.summary.action_required} need "
        f"action, {report.summary.high_priority} high"
    )
    return head + "\n" + _table(["sku", "priority", "main", "fbe", "top recommendation"], rows)


def render_kpis(report: KpiReport) -> str:
    head = f"KPIs over the last {report.days} days (to {_when(report.until)})"
    rows = [[label, kpi_value(getattr(report, name))] for name, label in KPI_LABELS.items()]
    parts = [head, _table(["kpi", "value"], rows), "What following the recommendations earned:"]
    earned = report.earnings
    for name, item in [("all products", earned.total), *earned.by_category.items()]:
        parts += _wrapped(
            f"{name}: {money_per_day(item.recovered_per_day)} recovered by "
            f"{item.transfers_arrived} transfers that arrived; buy button back after "
            f"{percent(item.recovered_followed_pct)} of {item.shortages_followed} shortages "
            f"acted on vs {percent(item.recovered_left_alone_pct)} of "
            f"{item.shortages_left_alone} left alone",
            "  ",
        )
    return "\n".join(parts)
