"""App Home: publish the dashboard when someone opens the bot's Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.runtime import Runtime
from handlers.blocks.home import build_home_view
from handlers.blocks.size import guard_view

HOME_ALERTS = 10


def handle_app_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    runtime: Runtime = context["runtime"]
    service = runtime.service
    view = build_home_view(
        service.summary(),
        service.alerts(HOME_ALERTS),
        service.clock(),
        runtime.settings.zone,
        service.rules.stale_snapshot_hours,
    )
    client.views_publish(user_id=event["user"], view=guard_view(view))
