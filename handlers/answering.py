"""How the Slack surface answers once a request is acked.

- `queued(listener)` is what Bolt runs as a lazy listener, right after the ack, on its
  small I/O pool: for a click in a view it opens a "working" modal at once (a trigger_id
  lasts 3 s), then hands `listener` to the answer pool (bot/slack_pools.py, bounded to
  the cores). A slash command still waiting there after STOCKBOT_BUSY_NOTICE_SECONDS
  gets "Busy, answering in a moment." rather than silence. `answered(listener)` runs a
  listener with no database work (opening a modal) at once instead.
- `send(respond, message)` puts every answer through the size guard and raises when
  Slack refuses it; `deliver(...)` does the same from the pool's I/O threads, so the
  bounded pool computes and never waits on the network. A listener that fails, or an
  answer Slack refuses, is logged with its error and traceback, and the person waiting
  gets one ephemeral line.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import interactions
from bot.database_errors import database_trouble
from bot.engine.phrases import N_
from bot.i18n import _
from bot.service import StockService
from bot.slack_pools import AnswerPool
from handlers.blocks.kit import escape_clipped, local_time
from handlers.blocks.modals import message_modal
from handlers.blocks.size import guard, guard_view

log = logging.getLogger("stockbot.slack")
BUSY = N_("Busy, answering in a moment.")
WORKING = N_("Working on it...")
MODAL_KEY = "stockbot_modal"  # the view id of the modal a click in a view answers in
ACKED_AT = "stockbot_acked_at"  # when a request handed over from another process was acked


class AnswerRefused(Exception):
    """Slack refused an answer sent to a response_url."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(f"HTTP {status}: {error}")
        self.error = error


def send(respond: Respond, **message: Any) -> None:
    """`respond(...)` within the message limits; AnswerRefused when Slack refuses it."""
    answer = respond(**guard(message))
    if answer.status_code != 200:
        raise AnswerRefused(answer.status_code, _error(answer.body))


def deliver(context: BoltContext, respond: Respond, what: str, **message: Any) -> None:
    """`send` on the I/O pool: the answer leaves while the bounded pool goes on working.
    A refusal is logged with its traceback and told in one line."""

    def run() -> None:
        try:
            send(respond, **message)
        except Exception as exc:
            log.exception("the answer to %s was refused or lost", what)
            try:
                tell(respond, None, context, refusal(exc))
            except Exception:
                log.exception("could not tell the person that the answer to %s failed", what)

    pool: AnswerPool = context["answers"]
    pool.deliver(run)


def _error(body: str) -> str:
    """Slack's error code from a response_url answer ("invalid_blocks"), else the body."""
    text = (body or "").strip()
    if text.startswith("{"):
        try:
            return str(json.loads(text).get("error") or text)
        except ValueError:
            pass
    return text[:200] or _("no answer")


def refusal(exc: Exception) -> str:
    """The one line a person gets when their answer could not be given."""
    if isinstance(exc, AnswerRefused):
        return _("Slack refused the answer: {error}").format(error=escape_clipped(exc.error, 200))
    if isinstance(exc, SlackApiError):
        error = escape_clipped(str(exc.response.get("error")), 200)
        return _("Slack refused the answer: {error}").format(error=error)
    trouble = database_trouble(exc)
    if trouble is not None:  # busy (SQLite locked by another process) or down
        return trouble[1].capitalize() + "."
    return _("Something went wrong on stockbot's side; it is in the log.")


def in_view(body: dict[str, Any]) -> bool:
    return (body.get("container") or {}).get("type") == "view"


def tell(
    respond: Respond | None, client: WebClient | None, context: BoltContext, text: str
) -> None:
    """One line to the person who clicked or typed: ephemeral in a channel, in the modal
    opened for a click in a view (App Home has no response_url)."""
    modal = context.get(MODAL_KEY)
    if modal and client is not None:
        client.views_update(view_id=modal, view=guard_view(message_modal("stockbot", text)))
    elif respond is not None and respond.response_url:
        send(respond, response_type="ephemeral", replace_original=False, text=text)


def claimed_before(
    service: StockService,
    key: str,
    user: str,
    zone: ZoneInfo,
    said: str,
    reply: tuple[Respond | None, WebClient | None, BoltContext],
) -> bool:
    """Claim the click `key` for `user`; when an earlier click has it, tell who and when
    (`said` holds {who} and {time}) and say so: a click is carried out once."""
    earlier = interactions.claim_click(service, key, user)
    if earlier is None:
        return False
    when = local_time(earlier.claimed_at, zone, "HH:mm")
    tell(*reply, said.format(who=f"<@{earlier.user_id}>", time=when))
    return True


def show_modal(client: WebClient, context: BoltContext, view: dict[str, Any]) -> None:
    """Put `view` in the modal opened for this click."""
    client.views_update(view_id=context[MODAL_KEY], view=guard_view(view))


def _report(listener: Callable[..., None], kwargs: dict[str, Any]) -> None:
    """Run `listener`; a failure is logged with its traceback and told to whoever waits
    (nobody does for an event)."""
    try:
        listener(**kwargs)
    except Exception as exc:
        log.exception("%s failed", listener.__name__)
        try:
            tell(kwargs.get("respond"), kwargs.get("client"), kwargs["context"], refusal(exc))
        except Exception:
            log.exception("could not tell the person that %s failed", listener.__name__)


def _takes_context(listener: Callable[..., None]) -> None:
    if "context" not in inspect.signature(listener).parameters:
        raise TypeError(f"{listener.__name__} must take `context` to be answered")


def answered(listener: Callable[..., None]) -> Callable[..., None]:
    """The lazy listener Bolt runs for `listener` at once, on Bolt's I/O pool: for work
    with no database or CPU in it (opening a modal while its trigger_id is fresh)."""
    _takes_context(listener)

    @functools.wraps(listener)
    def run(**kwargs: Any) -> None:
        _report(listener, kwargs)

    return run


def queued(listener: Callable[..., None], busy: bool = False) -> Callable[..., None]:
    """The lazy listener Bolt runs for `listener` (which must take `context`): queued in
    the answer pool; with `busy`, a "busy" line when it waits there too long."""
    _takes_context(listener)

    @functools.wraps(listener)
    def front(**kwargs: Any) -> None:
        context: BoltContext = kwargs["context"]
        body = kwargs.get("body") or {}
        try:
            if in_view(body) and body.get("trigger_id"):
                # Before any database work: the trigger_id expires 3 s after the click.
                client: WebClient = kwargs["client"]
                opened = client.views_open(
                    trigger_id=body["trigger_id"], view=message_modal("stockbot", _(WORKING))
                )
                context[MODAL_KEY] = opened["view"]["id"]
        except Exception:
            log.exception("%s: the modal could not be opened", listener.__name__)
            return
        respond: Respond | None = kwargs.get("respond")
        notice = None
        if busy and respond is not None and respond.response_url:
            notice = functools.partial(_busy, respond)
        pool: AnswerPool = context["answers"]
        pool.submit(functools.partial(_report, listener, kwargs), notice, context.get(ACKED_AT))

    return front


def acked_then_queued(listener: Callable[..., None], busy: bool = False) -> Callable[..., None]:
    """`queued(listener)` run as the ack listener itself: ack(), then the answer pool, in
    the request's thread. For requests with no modal to open first (a slash command):
    as a lazy listener, Bolt deep-copies the whole request and hands it to a thread of
    its I/O pool before the work is queued, which cost more than the rest of the ack
    (benchmarks/slack_ack.py --bare)."""
    front = queued(listener, busy)
    wanted = inspect.signature(listener).parameters.values()
    ack_parameter = inspect.Parameter("ack", inspect.Parameter.POSITIONAL_OR_KEYWORD)

    @functools.wraps(listener)
    def run(ack: Ack, **kwargs: Any) -> None:
        ack()
        front(**kwargs)

    # Bolt passes a listener the arguments its signature names: the ack and the listener's.
    del run.__wrapped__
    run.__signature__ = inspect.Signature([ack_parameter, *wanted])  # type: ignore[attr-defined]
    return run


def _busy(respond: Respond) -> None:
    try:
        send(respond, response_type="ephemeral", text=_(BUSY))
    except Exception:
        log.exception("could not say the answer is coming")
