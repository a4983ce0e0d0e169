"""Plain-text renderings of the engine's answers for the terminal."""

from __future__ import annotations

from datetime import datetime

from bot.engine.models import Analysis, TransferCheck
from bot.kpis import KpiReport
from bot.reports import AlertsReport, BulkReport, Summary
from bot.wording import KPI_LABELS, cover_text, kpi_value, recommendation_line, sales_text


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"


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
        for account in ("main", "fbe")
    ]
    parts = [
        head,
        f"Priority: {analysis.priority}"
        + ("  (action required)" if analysis.action_required else ""),
        _table(["account", "stock", "offers", "competitors", "rank", "sales", "cover"], rows),
        f"Data as of {_when(analysis.data_as_of)}" + ("  STALE" if analysis.stale else ""),
        "Recommendations:",
    ]
    parts += [f"  {recommendation_line(rec)}" for rec in analysis.recommendations] or ["  none"]
    parts += [f"Note: {note}" for note in analysis.notes]
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


def render_alerts(report: AlertsReport) -> str:
    counts = ", ".join(f"{name} {count}" for name, count in report.counts.items())
    head = f"{report.total} products need attention ({counts}); showing {len(report.alerts)}"
    rows = [
        [
            entry.sku,
            entry.priority,
            str(entry.stock_main),
            str(entry.stock_fbe),
            ", ".join(entry.issues),
            recommendation_line(entry.top_recommendation) if entry.top_recommendation else "-",
        ]
        for entry in report.alerts
    ]
    if not rows:
        return head
    return (
        head
        + "\n"
        + _table(["sku", "priority", "main", "fbe", "issues", "top recommendation"], rows)
    )


def render_summary(summary: Summary) -> str:
    rows = [
        ["products tracked", str(summary.products_tracked)],
        ["needing attention", str(summary.products_needing_attention)],
        ["high / medium / low", f"{summary.high} / {summary.medium} / {summary.low}"],
        ["zero stock with competition", str(summary.zero_stock_with_competition)],
        ["est. lost sales per day (RON)", str(summary.estimated_lost_sales_per_day)],
        ["needing weekly update", str(summary.needs_weekly_update)],
        ["weekly-update compliance", f"{summary.weekly_update_compliance_pct}%"],
        ["data as of", _when(summary.data_as_of) + ("  STALE" if summary.stale else "")],
    ]
    for account, status in summary.accounts.items():
        state = status.last_run_status or "never read"
        if status.last_run_error:
            state += f" ({status.last_run_error})"
        rows.append([f"{account.upper()} last refresh", f"{_when(status.last_read_at)}, {state}"])
    return _table(["", ""], rows).split("\n", 2)[2]


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
    head = f"{report.found} of {report.requested} found"
    return head + "\n" + _table(["sku", "priority", "main", "fbe", "top recommendation"], rows)


def render_kpis(report: KpiReport) -> str:
    head = f"KPIs over the last {report.days} days (to {_when(report.until)})"
    rows = [[label, kpi_value(getattr(report, name))] for name, label in KPI_LABELS.items()]
    return head + "\n" + _table(["kpi", "value"], rows)
