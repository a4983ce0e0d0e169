"""Block Kit for the catalogue-wide answers: the alerts list, the summary numbers and
the bulk table."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.engine.models import ACCOUNTS
from bot.kpis import KpiReport
from bot.reports import AlertEntry, AlertsReport, BulkReport, Summary
from bot.wording import (
    EMPTY_CATALOGUE,
    KPI_LABELS,
    account_numbers,
    issue_label,
    kpi_value,
    money_per_day,
    percent,
    recommendation_line,
    snooze_text,
    transit_text,
)
from handlers.blocks.kit import (
    Block,
    button,
    context,
    data_age_line,
    escape,
    escape_clipped,
    header,
    local_time,
    proposal_value,
    section,
)
from handlers.blocks.size import MESSAGE, Budget, fit, fits_all
from handlers.ids import SNOOZE, SNOOZE_DAYS, VALIDATE_TRANSFER


def alert_line(entry: AlertEntry, with_name: bool = False) -> str:
    """One alert with its numbers: stock, sales per day and cover per account, RON/day
    lost, what is in transit, a snooze."""
    issues = ", ".join(issue_label(issue) for issue in entry.issues) or "no issue"
    name = f" {escape_clipped(entry.name, 100)}" if with_name and entry.name else ""
    numbers = " / ".join(
        account_numbers(entry, account, account in entry.listed_on) for account in ACCOUNTS
    )
    line = f"*{escape(entry.sku)}*{name} [{entry.priority.upper()}] {issues} - {numbers}"
    if entry.estimated_lost_sales_per_day != 0:
        line += f" - lost {money_per_day(entry.estimated_lost_sales_per_day)} now"
    extras = [
        transit_text(entry.in_transit_main, "main", None),
        transit_text(entry.in_transit_fbe, "fbe", None),
        snooze_text(entry.snoozed_until, entry.snoozed_by),
        "STALE data" if entry.stale else "",
    ]
    return line + "".join(f" - {escape(extra)}" for extra in extras if extra)


def alert_block(entry: AlertEntry, block_id: str) -> Block:
    """One alert with its button: Validate transfer when the fix is a transfer, else
    Snooze."""
    rec = entry.top_recommendation
    text = alert_line(entry, with_name=True)
    if rec is not None:
        text += f"\n{escape(recommendation_line(rec))}"
    if rec is not None and rec.is_transfer and rec.suggested_amount:
        accessory = button("Validate transfer", VALIDATE_TRANSFER, proposal_value(entry.sku, rec))
    else:
        accessory = button(f"Snooze {SNOOZE_DAYS} days", SNOOZE, {"sku": entry.sku})
    return section(text, block_id=block_id, accessory=accessory)


def counts_line(counts: dict[str, int], total: int, shown: int) -> str:
    return (
        f"*High* {counts.get('high', 0)}  |  *Medium* {counts.get('medium', 0)}  |  "
        f"*Low* {counts.get('low', 0)}  -  {total} need attention, showing {shown}"
    )


def alert_items(
    report: AlertsReport, head: list[Block], budget: Budget = MESSAGE
) -> list[Block | str]:
    """The alerts after `head`: as many as fit keep their button (one section each),
    the rest are one line each, so that every alert is shown when the lines fit."""
    blocks = [alert_block(e, f"alert:{i}") for i, e in enumerate(report.alerts)]
    lines = [alert_line(e) for e in report.alerts]
    low, high = 0, len(blocks)  # the most buttons that still show every alert
    while low < high:
        middle = (low + high + 1) // 2
        if fits_all(head, [*blocks[:middle], *lines[middle:]], budget=budget):
            low = middle
        else:
            high = middle - 1
    return [*blocks[:low], *lines[low:]]


def build_alerts_blocks(report: AlertsReport, budget: Budget = MESSAGE) -> list[Block]:
    head = [
        header("Stock alerts"),
        section(counts_line(report.counts, report.total, len(report.alerts))),
    ]
    if not report.alerts:
        return [*head, section("Nothing needs attention.")]
    return fit(head, alert_items(report, head, budget), budget=budget)


def summary_blocks(
    summary: Summary, now: datetime, zone: ZoneInfo, stale_hours: int
) -> list[Block]:
    fields = [
        f"*Products tracked*\n{summary.products_tracked}",
        f"*Needing attention*\n{summary.products_needing_attention}",
        f"*High / Medium / Low*\n{summary.high} / {summary.medium} / {summary.low}",
        f"*Zero stock with competition*\n{summary.zero_stock_with_competition}",
        f"*Lost sales now*\n{money_per_day(summary.estimated_lost_sales_per_day)}",
        f"*Weekly-update compliance*\n{percent(summary.weekly_update_compliance_pct)} "
        f"({summary.needs_weekly_update} need an update)",
    ]
    refresh = []
    for account, status in summary.accounts.items():
        state = status.last_run_status or "never read"
        if status.last_run_error:
            state += f": {escape_clipped(status.last_run_error, 200)}"
        refresh.append(
            f"{account.upper()} last read {local_time(status.last_read_at, zone)} ({state})"
        )
    blocks = [
        *([] if summary.products_tracked else [section(EMPTY_CATALOGUE)]),
        section(fields=fields),
        context(data_age_line(summary.data_as_of, summary.stale, now, zone, stale_hours)),
    ]
    # Slack refuses an empty text: no line when no account has been read or configured.
    return [*blocks, context("  |  ".join(refresh))] if refresh else blocks


def kpi_blocks(report: KpiReport) -> list[Block]:
    fields = [
        f"*{label.capitalize()}*\n{kpi_value(getattr(report, name))}"
        for name, label in KPI_LABELS.items()
    ]
    return [section(f"*KPIs, last {report.days} days*", fields=fields)]


def build_summary_blocks(
    summary: Summary,
    now: datetime,
    zone: ZoneInfo,
    stale_hours: int,
    kpis: KpiReport | None = None,
) -> list[Block]:
    blocks = [header("Stock summary"), *summary_blocks(summary, now, zone, stale_hours)]
    return blocks + (kpi_blocks(kpis) if kpis is not None else [])


def build_bulk_blocks(report: BulkReport) -> list[Block]:
    lines = []
    for item in report.results:
        if item.analysis is None:
            lines.append(f"`{escape_clipped(item.sku, 200)}` not found")
            continue
        analysis = item.analysis
        top = analysis.recommendations[0] if analysis.recommendations else None
        lines.append(
            f"`{escape_clipped(analysis.sku, 200)}` {analysis.priority.upper()} - "
            f"MAIN {analysis.current_situation.stock_main} / "
            f"FBE {analysis.current_situation.stock_fbe}"
            + (f" - {escape(recommendation_line(top))}" if top else "")
        )
    head = [header("Bulk analysis"), section(f"{report.found} of {report.requested} found")]
    return fit(head, lines, more="and {n} more - `stockbot bulk` on the command line lists all")
