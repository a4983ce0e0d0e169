"""The Slack surface. `register_handlers(app)` is the one place listeners are wired.

Commands, clicks and events are acked the moment they arrive, doing no database or CPU
work; their answers are queued in a pool bounded to the cores (handlers/answering.py),
so a burst of requests never waits behind another's database read and a command that
has to wait is told so; under `serve`, `/stock` is answered in a process of its own
(command_process.py), its ack and hand-over the web process's only work. A command
is queued by its ack listener itself, a click or an event by a lazy listener (which may
open a modal first). The modal submission answers in its ack, as Slack requires.

Thin: parse, call the service or the engine, render with `handlers/blocks/`. It may
import the engine, the service and the shared pieces, never `storage/` (the service
reads for it); of the jobs, only the digest's plan (`bot.jobs.digest_plan`).
"""

from __future__ import annotations

from slack_bolt import Ack, App

from handlers import ids
from handlers.actions import (
    handle_amount_submission,
    handle_change_amount,
    handle_mark_transferred,
    handle_snooze,
    handle_validate_transfer,
)
from handlers.answering import acked_then_queued, answered, queued
from handlers.command_process import CommandProcess
from handlers.commands import handle_stock_command
from handlers.home import handle_app_home_opened
from handlers.plan import handle_mark_shipped


def ack_now(ack: Ack) -> None:
    """Acknowledge within Slack's 3 seconds, before any work."""
    ack()


def register_handlers(app: App, commands: CommandProcess | None = None) -> None:
    """Every listener; `/stock` answered in `commands`' process when given, else here."""
    if commands is not None:
        app.command(ids.COMMAND)(commands.ack_listener())
    else:
        app.command(ids.COMMAND)(acked_then_queued(handle_stock_command, busy=True))
    app.action(ids.VALIDATE_TRANSFER)(ack=ack_now, lazy=[queued(handle_validate_transfer)])
    app.action(ids.CHANGE_AMOUNT)(ack=ack_now, lazy=[answered(handle_change_amount)])
    app.action(ids.SNOOZE)(ack=ack_now, lazy=[queued(handle_snooze)])
    app.action(ids.MARK_TRANSFERRED)(ack=ack_now, lazy=[queued(handle_mark_transferred)])
    app.action(ids.MARK_SHIPPED)(ack=ack_now, lazy=[queued(handle_mark_shipped)])
    app.view(ids.AMOUNT_VIEW)(handle_amount_submission)
    app.event("app_home_opened")(ack=ack_now, lazy=[queued(handle_app_home_opened)])
