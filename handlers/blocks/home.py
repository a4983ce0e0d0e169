"""The App Home tab: the summary numbers, the top alerts with their buttons, data age."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import _
from bot.reports import AlertsReport, Summary
from handlers.blocks.kit import Block, divider, header, section
from handlers.blocks.reports import alert_items, summary_blocks
from handlers.blocks.size import VIEW, fit


def build_home_view(
    summary: Summary, alerts: AlertsReport, now: datetime, zone: ZoneInfo, stale_hours: int
) -> Block:
    head = [
        header("stockbot"),
        section(_("MAIN and FBE stock at a glance. `/stock help` lists the commands.")),
        *summary_blocks(summary, now, zone, stale_hours),
        divider(),
        section(
            f"*{_('Top alerts')}*" + ("" if alerts.alerts else "\n" + _("Nothing needs attention."))
        ),
    ]
    return {"type": "home", "blocks": fit(head, alert_items(alerts, head, VIEW), budget=VIEW)}
