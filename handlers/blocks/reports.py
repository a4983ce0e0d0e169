"""Block Kit for the catalogue-wide answers: the alerts list, the summary numbers and
the bulk table."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.engine.models import ACCOUNTS
from bot.i18n import _
from bot.kpis import KpiReport
from bot.reports import AlertEntry, AlertsReport, BulkReport, Summary
from bot.wording import (
    KPI_LABELS,
    account_numbers,
    empty_catalogue,
    issue_label,
    kpi_value,
    money_per_day,
    percent,
    priority_label,
    recommendation_line,
    run_status,
    snooze_text,
    stock_text,
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
    issues = ", ".join(issue_label(issue) for issue in entry.issues) or _("no issue")
    name = f" {escape_clipped(entry.name, 100)}" if with_name and entry.name else ""
    numbers = " / ".join(
        account_numbers(entry, account, account in entry.listed_on) for account in ACCOUNTS
    )
    priority = priority_label(entry.priority).upper()
    line = f"*{escape(entry.sku)}*{name} [{priority}] {issues} - {numbers}"
    if entry.estimated_lost_sales_per_day != 0:
        lost = money_per_day(entry.estimated_lost_sales_per_day)
        line += " - " + _("lost {amount} now").format(amount=lost)
    extras = [
        transit_text(entry.in_transit_main, "main", None),
        transit_text(entry.in_transit_fbe, "fbe", None),
        snooze_text(entry.snoozed_until, entry.snoozed_by),
        _("STALE data") if entry.stale else "",
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
        value = proposal_value(entry.sku, rec)
        accessory = button(_("Validate transfer"), VALIDATE_TRANSFER, value)
    else:
        snooze = _("Snooze {days} days").format(days=SNOOZE_DAYS)
        accessory = button(snooze, SNOOZE, {"sku": entry.sku})
    return section(text, block_id=block_id, accessory=accessory)


def counts_line(counts: dict[str, int], total: int, shown: int) -> str:
    levels = "  |  ".join(
        f"*{priority_label(name).capitalize()}* {counts.get(name, 0)}"
        for name in ("high", "medium", "low")
    )
    return f"{levels}  -  " + _("{total} need attention, showing {shown}").format(
        total=total, shown=shown
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
        header(_("Stock alerts")),
        section(counts_line(report.counts, report.total, len(report.alerts))),
    ]
    if not report.alerts:
        return [*head, section(_("Nothing needs attention."))]
    return fit(head, alert_items(report, head, budget), budget=budget)


def summary_blocks(
    summary: Summary, now: datetime, zone: ZoneInfo, stale_hours: int
) -> list[Block]:
    fields = [
        f"*{_('Products tracked')}*\n{summary.products_tracked}",
        f"*{_('Needing attention')}*\n{summary.products_needing_attention}",
        f"*{_('High / Medium / Low')}*\n{summary.high} / {summary.medium} / {summary.low}",
        f"*{_('Zero stock with competition')}*\n{summary.zero_stock_with_competition}",
        f"*{_('Lost sales now')}*\n{money_per_day(summary.estimated_lost_sales_per_day)}",
        f"*{_('Weekly-update compliance')}*\n{percent(summary.weekly_update_compliance_pct)} "
        + _("({count} need an update)").format(count=summary.needs_weekly_update),
    ]
    refresh = []
    for account, status in summary.accounts.items():
        state = run_status(status.last_run_status)
        if status.last_run_error:
            state += f": {escape_clipped(status.last_run_error, 200)}"
        refresh.append(
            _("{account} last read {moment} ({state})").format(
                account=account.upper(), moment=local_time(status.last_read_at, zone), state=state
            )
        )
    blocks = [
        *([] if summary.products_tracked else [section(empty_catalogue())]),
        section(fields=fields),
        context(data_age_line(summary.data_as_of, summary.stale, now, zone, stale_hours)),
    ]
    # Slack refuses an empty text: no line when no account has been read or configured.
    return [*blocks, context("  |  ".join(refresh))] if refresh else blocks


def kpi_blocks(report: KpiReport) -> list[Block]:
    fields = [
        f"*{_(label).capitalize()}*\n{kpi_value(getattr(report, name))}"
        for name, label in KPI_LABELS.items()
    ]
    return [
        section("*" + _("KPIs, last {days} days").format(days=report.days) + "*", fields=fields)
    ]


def build_summary_blocks(
    summary: Summary,
    now: datetime,
    zone: ZoneInfo,
    stale_hours: int,
    kpis: KpiReport | None = None,
) -> list[Block]:
    blocks = [header(_("Stock summary")), *summary_blocks(summary, now, zone, stale_hours)]
    return blocks + (kpi_blocks(kpis) if kpis is not None else [])


def build_bulk_blocks(report: BulkReport) -> list[Block]:
    lines = []
    for item in report.results:
        if item.analysis is None:
            lines.append(f"`{escape_clipped(item.sku, 200)}` " + _("not found"))
            continue
        analysis = item.analysis
        top = analysis.recommendations[0] if analysis.recommendations else None
        lines.append(
            f"`{escape_clipped(analysis.sku, 200)}` {priority_label(analysis.priority).upper()} - "
            f"MAIN {stock_text(analysis, 'main')} / FBE {stock_text(analysis, 'fbe')}"
            + (f" - {escape(recommendation_line(top))}" if top else "")
        )
    found = _("{found} of {requested} found").format(found=report.found, requested=report.requested)
    head = [header(_("Bulk analysis")), section(found)]
    more = _("and {n} more - `stockbot bulk` on the command line lists all")
    return fit(head, lines, more=more)
