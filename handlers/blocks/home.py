"""The App Home tab: the summary numbers, the top alerts with their buttons, data age."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.reports import AlertsReport, Summary
from handlers.blocks.kit import MAX_VIEW_BLOCKS, Block, divider, header, section
from handlers.blocks.reports import build_alerts_blocks, summary_blocks


def build_home_view(
    summary: Summary, alerts: AlertsReport, now: datetime, zone: ZoneInfo, stale_hours: int
) -> Block:
    alert_blocks = build_alerts_blocks(alerts, max_blocks=MAX_VIEW_BLOCKS - 8)[1:]
    blocks = [
        header("stockbot"),
        section("MAIN and FBE stock at a glance. `/stock help` lists the commands."),
        *summary_blocks(summary, now, zone, stale_hours),
        divider(),
        section("*Top alerts*"),
        *alert_blocks,
    ]
    return {"type": "home", "blocks": blocks}
