"""The Slack surface. `register_handlers(app)` is the one place listeners are wired.

Commands, clicks and events are acked the moment they arrive and their work runs after
the response (Bolt lazy listeners), so a burst of requests never waits behind another's
database read. The modal submission answers in its ack, as Slack requires.

Thin: parse, call the service or the engine, render with `handlers/blocks/`. It may
import the engine, the service and the shared pieces, never `storage/` (the service
reads for it); of the jobs, only the digest's plan (`bot.jobs.digest_plan`).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.kwargs_injection.args import Args

from bot.database_errors import database_trouble
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


def ack_now(ack: Ack) -> None:
    """Acknowledge within Slack's 3 seconds, before any work."""
    ack()


log = logging.getLogger("stockbot.slack")


def telling_database_trouble(listener: Callable[..., None]) -> Callable[[Args], None]:
    """`listener` as a lazy listener that, when the database is busy (SQLite locked by
    another process) or down, tells the person in one ephemeral line instead of failing
    in silence; any other error goes on to Bolt as before.

    Bolt hands a parameter named `args` everything it can inject, so the listener still
    gets exactly the arguments it names."""
    names = list(inspect.signature(listener).parameters)

    def run(args: Args) -> None:
        try:
            listener(**{name: getattr(args, name) for name in names})
        except Exception as exc:
            trouble = database_trouble(exc)
            body: dict[str, Any] = args.body or {}
            if trouble is None or not body.get("response_url"):
                raise
            log.warning("%s: database %s", listener.__name__, trouble[0])
            args.respond(response_type="ephemeral", replace_original=False, text=trouble[1] + ".")

    run.__name__ = run.__qualname__ = listener.__name__
    return run


def register_handlers(app: App) -> None:
    lazy = telling_database_trouble
    app.command(ids.COMMAND)(ack=ack_now, lazy=[handle_stock_command])
    app.action(ids.VALIDATE_TRANSFER)(ack=ack_now, lazy=[lazy(handle_validate_transfer)])
    app.action(ids.CHANGE_AMOUNT)(ack=ack_now, lazy=[lazy(handle_change_amount)])
    app.action(ids.SNOOZE)(ack=ack_now, lazy=[lazy(handle_snooze)])
    app.action(ids.MARK_TRANSFERRED)(ack=ack_now, lazy=[lazy(handle_mark_transferred)])
    app.view(ids.AMOUNT_VIEW)(handle_amount_submission)
    app.event("app_home_opened")(ack=ack_now, lazy=[handle_app_home_opened])
