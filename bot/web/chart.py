"""The trend chart: open alerts per day by priority, and weekly-update compliance %, as a
PNG (matplotlib, no display needed)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.i18n import _
from bot.kpis import parse_days
from bot.wording import priority_label
from storage import kpi_history
from storage.models import DailyStats

COLOURS = {"high": "#c0392b", "medium": "#e67e22", "low": "#f1c40f"}


def trend_png(
    stats: Sequence[DailyStats], first_day: date, last_day: date, title: str | None = None
) -> bytes:
    """The chart of `stats` (one row per day, oldest first) over [first_day, last_day]
    as PNG bytes; the axis always spans the whole period, however few days have data."""
    # Figure without pyplot: no global state, so web threads can draw at the same time,
    # and no display backend is ever chosen. Loaded here: only a chart needs matplotlib.
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4), dpi=100)
    alerts_axis = figure.subplots()
    days = [row.day for row in stats]
    for priority, colour in COLOURS.items():
        alerts_axis.plot(
            days,
            [getattr(row, priority) for row in stats],
            marker="o",
            color=colour,
            label=_("{priority} alerts").format(priority=priority_label(priority)),
        )
    alerts_axis.set_ylabel(_("open alerts"))
    highest = max((max(row.high, row.medium, row.low) for row in stats), default=0)
    alerts_axis.set_ylim(0, max(highest * 1.15, 1))
    compliance_axis = alerts_axis.twinx()
    compliance_axis.plot(
        days,
        [
            100.0 * row.compliant_offers / row.listed_offers if row.listed_offers else 0.0
            for row in stats
        ],
        linestyle="--",
        marker="s",
        color="#2c3e50",
        label=_("weekly-update compliance") + " %",
    )
    compliance_axis.set_ylabel(_("compliance") + " %")
    compliance_axis.set_ylim(0, 105)
    lines = alerts_axis.get_legend_handles_labels()
    more = compliance_axis.get_legend_handles_labels()
    alerts_axis.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=8)
    title = title or _("Stock alerts")
    alerts_axis.set_title(title if stats else _("{title}: no history yet").format(title=title))
    half_day = timedelta(hours=12)  # room for the first and last day's markers
    alerts_axis.set_xlim(
        datetime.combine(first_day, time()) - half_day,
        datetime.combine(last_day, time()) + half_day,
    )
    alerts_axis.xaxis.set_major_formatter(DateFormatter("%d %b"))
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def trend_chart(sessions: sessionmaker[Session], until: datetime, days: object = 30) -> bytes:
    """The trend chart of the `days` days up to `until`, as PNG."""
    period = parse_days(days)
    since = until - timedelta(days=period)
    with sessions() as session:
        stats = kpi_history.daily_stats(session, since, until)
    return trend_png(
        stats, since.date(), until.date(), _("Stock alerts, last {days} days").format(days=period)
    )
