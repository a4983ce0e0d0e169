"""Plain-text renderings of the engine's answers for the terminal."""

from __future__ import annotations

from bot.cli.tables import count_text, table, when_text, wrapped
from bot.engine.models import ACCOUNTS, Analysis, TransferCheck
from bot.i18n import _, engine_text
from bot.reports import AlertEntry, AlertsReport, Summary
from bot.watch_wording import competition_lines, has_competition_news
from bot.wording import (
    account_numbers,
    cover_text,
    empty_catalogue,
    money_per_day,
    percent,
    priority_label,
    recommendation_line,
    run_status,
    sales_text,
    snooze_text,
    transit_text,
)


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
            else _("not listed"),
            count_text(getattr(situation, f"offers_{account}")),
            count_text(getattr(situation, f"competitors_{account}")),
            count_text(getattr(situation, f"rank_{account}")),
            sales_text(getattr(situation, f"sales_per_day_{account}")),
            cover_text(
                getattr(situation, f"days_of_cover_{account}"),
                getattr(situation, f"sales_per_day_{account}"),
            ),
        ]
        for account in ACCOUNTS
    ]
    parts = wrapped(head)
    parts.append(
        _("Priority: {priority}").format(priority=priority_label(analysis.priority))
        + ("  " + _("(action required)") if analysis.action_required else "")
    )
    headers = [
        _("account"),
        _("stock"),
        _("offers"),
        _("rivals"),
        _("rank"),
        _("sales"),
        _("cover"),
    ]
    parts.append(table(headers, rows))
    lost = [
        f"{account.upper()} {money_per_day(getattr(situation, f'lost_sales_per_day_{account}'))}"
        for account in ACCOUNTS
        if account in analysis.listed_on
    ]
    if lost:
        parts.append(_("Lost sales now: {amounts}").format(amounts=", ".join(lost)))
    for account in ACCOUNTS:
        moving = transit_text(
            getattr(situation, f"in_transit_{account}"),
            account,
            getattr(situation, f"in_transit_since_{account}"),
        )
        if moving:
            parts.append(_("In transit: {what}").format(what=moving))
    if has_competition_news(analysis):
        parts.append(_("Competition:"))
        for line in competition_lines(analysis):
            parts += wrapped(line, "  ")
    if analysis.snoozed_until:
        parts.append(snooze_text(analysis.snoozed_until, analysis.snoozed_by).capitalize())
    parts.append(
        _("Data as of {moment}").format(moment=when_text(analysis.data_as_of))
        + ("  " + _("STALE") if analysis.stale else "")
    )
    parts.append(_("Recommendations:"))
    for rec in analysis.recommendations:
        parts += wrapped(recommendation_line(rec), "  ")
    if not analysis.recommendations:
        parts.append("  " + _("none"))
    for note in analysis.notes:
        parts += wrapped(_("Note: {note}").format(note=engine_text(note)))
    return "\n".join(parts)


def render_transfer(check: TransferCheck) -> str:
    move = check.transfer
    source, destination = move["from_account"], move["to_account"]
    parts = [
        _("Transfer {units} x {sku}: {source} -> {destination}").format(
            units=move["amount"],
            sku=check.sku,
            source=source.upper(),
            destination=destination.upper(),
        ),
        table(
            [_("account"), _("now"), _("after")],
            [
                [
                    account.upper(),
                    str(check.current_state[f"stock_{account}"]),
                    str(check.proposed_state[f"stock_{account}"]),
                ]
                for account in (source, destination)
            ],
        ),
        _("Impact on {account}: {impact}").format(
            account=source.upper(), impact=engine_text(check.impact.from_account_impact)
        ),
        _("Impact on {account}: {impact}").format(
            account=destination.upper(), impact=engine_text(check.impact.to_account_impact)
        ),
    ]
    for warning in check.warnings:
        parts += wrapped(_("Warning: {warning}").format(warning=engine_text(warning)))
    for note in check.notes:
        parts += wrapped(_("Note: {note}").format(note=engine_text(note)))
    parts.append(_("Recommendation: {what}").format(what=engine_text(check.recommendation)))
    return "\n".join(parts)


def alert_lines(entry: AlertEntry) -> list[str]:
    """Two lines or so for one alert, wrapped to the terminal: its numbers, then what to
    do about it."""
    numbers = [account_numbers(entry, account, account in entry.listed_on) for account in ACCOUNTS]
    numbers.append(
        _("lost {amount}").format(amount=money_per_day(entry.estimated_lost_sales_per_day))
    )
    numbers += [
        text
        for text in (
            transit_text(entry.in_transit_main, "main", None),
            transit_text(entry.in_transit_fbe, "fbe", None),
            snooze_text(entry.snoozed_until, entry.snoozed_by),
            _("STALE data") if entry.stale else "",
        )
        if text
    ]
    lines = wrapped(f"{entry.sku} [{priority_label(entry.priority).upper()}] " + "; ".join(numbers))
    rec = entry.top_recommendation
    lines += wrapped("-> " + (recommendation_line(rec) if rec else _("nothing to do")), "  ")
    return lines


def render_alerts(report: AlertsReport) -> str:
    counts = ", ".join(f"{priority_label(name)} {count}" for name, count in report.counts.items())
    head = wrapped(
        _(
            "{total} products need attention ({counts}); {weekly} need their weekly update; "
            "showing {shown}"
        ).format(
            total=report.total,
            counts=counts,
            weekly=report.maintenance_needed,
            shown=len(report.alerts),
        )
    )
    if not report.alerts:
        return "\n".join(head)
    legend = wrapped(_("Per account: stock (sales per day, days of cover); lost = RON/day now"))
    return "\n".join(
        [*head, *legend, *(line for entry in report.alerts for line in alert_lines(entry))]
    )


def render_summary(summary: Summary) -> str:
    rows = [
        [_("products tracked"), str(summary.products_tracked)],
        [_("needing attention"), str(summary.products_needing_attention)],
        [_("high / medium / low"), f"{summary.high} / {summary.medium} / {summary.low}"],
        [_("zero stock with competition"), str(summary.zero_stock_with_competition)],
        [_("lost sales now"), money_per_day(summary.estimated_lost_sales_per_day)],
        [_("needing weekly update"), str(summary.needs_weekly_update)],
        [_("weekly-update compliance"), percent(summary.weekly_update_compliance_pct)],
        [
            _("data as of"),
            when_text(summary.data_as_of) + ("  " + _("STALE") if summary.stale else ""),
        ],
    ]
    for account, status in summary.accounts.items():
        state = run_status(status.last_run_status)
        if status.last_run_error:
            state += f" ({status.last_run_error})"
        rows.append(
            [
                _("{account} last refresh").format(account=account.upper()),
                f"{when_text(status.last_read_at)}, {state}",
            ]
        )
    shown = table(["", ""], rows).split("\n", 2)[2]
    return shown if summary.products_tracked else "\n".join([*wrapped(empty_catalogue()), shown])
