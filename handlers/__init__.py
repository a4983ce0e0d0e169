"""The Slack surface. `register_handlers(app)` is the one place listeners are wired."""

from __future__ import annotations

from slack_bolt import App

from handlers import ids
from handlers.actions import (
    handle_amount_submission,
    handle_change_amount,
    handle_mark_transferred,
    handle_snooze,
    handle_validate_transfer,
)
from handlers.commands import handle_stock_command
from handlers.home import handle_app_home_opened


def register_handlers(app: App) -> None:
    app.command(ids.COMMAND)(handle_stock_command)
    app.action(ids.VALIDATE_TRANSFER)(handle_validate_transfer)
    app.action(ids.CHANGE_AMOUNT)(handle_change_amount)
    app.action(ids.SNOOZE)(handle_snooze)
    app.action(ids.MARK_TRANSFERRED)(handle_mark_transferred)
    app.view(ids.AMOUNT_VIEW)(handle_amount_submission)
    app.event("app_home_opened")(handle_app_home_opened)
