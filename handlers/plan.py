"""`/stock plan` and its *Mark shipped* buttons.

The plan is answered in the channel (through respond(), within the size guard) and its
CSV follows as a file uploaded to the channel's ID, in the same delivery so it comes
after the message. *Mark shipped* (admins only when STOCKBOT_ADMINS is set) records the
list's lines, as the plan has them now, as transfers in transit, once per button; the
button is then replaced by who did it and when."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import bot.engine.phrases as phrases
from bot import interactions, plan_service
from bot.engine.plan import ListName, Plan, PlanLine
from bot.errors import InvalidInput, StockbotError
from bot.i18n import _, counted, error_text
from bot.plan_csv import csv_filename, plan_csv
from bot.runtime import Runtime
from bot.service import StockService
from handlers.answering import AnswerPool, claimed_before, refusal, send, tell
from handlers.blocks.kit import context as context_block
from handlers.blocks.kit import escape, escape_clipped
from handlers.blocks.plan import TOP_LINES, build_plan_blocks, plan_fallback, shipped_line
from handlers.clicked import clicked_message, message_replacer

log = logging.getLogger("stockbot.slack")
UPLOAD = "upload"  # the key of a message's file, taken off before it is sent


@dataclass(frozen=True)
class Upload:
    """A file to share in the channel after the answer; its content is made when it is
    sent (every line of the plan), so the answer does not wait for it."""

    filename: str
    # The file's bytes and how many lines they hold.
    content: Callable[[], tuple[bytes, int]]
    title: str


def plan_upload(service: StockService, plan: Plan) -> Upload:
    """The CSV of `plan` (made with its minimum, cut to the lines a message shows):
    every line, read when the file is sent."""

    def content() -> tuple[bytes, int]:
        written = 0

        def counting(
            lines: Iterable[tuple[ListName, PlanLine]],
        ) -> Iterator[tuple[ListName, PlanLine]]:
            nonlocal written
            for line in lines:
                written += 1
                yield line

        data = plan_csv(counting(plan_service.plan_lines(service, plan.min_units)))
        return data, written

    return Upload(filename=csv_filename(plan), content=content, title=_("Stock plan"))


def upload_file(
    client: WebClient, channel_id: str, upload: Upload, thread_ts: str | None = None
) -> None:
    """files_upload_v2 to the channel's ID (slack.md: uploads need the ID, not a name),
    in the thread of `thread_ts` when given. Its comment counts the lines the file was
    made with: a write since the answer may have changed the plan."""
    data, lines = upload.content()
    client.files_upload_v2(
        channel=channel_id,
        thread_ts=thread_ts,
        content=data,
        filename=upload.filename,
        title=upload.title,
        initial_comment=_("The stock plan as CSV: {lines}").format(
            lines=counted(lines, "{n} line", "{n} lines")
        ),
    )


def run_plan(runtime: Runtime, request: Any, user: str) -> dict[str, Any]:
    """The plan message (each list's totals and top lines), with its CSV to upload
    after it."""
    plan = plan_service.build(runtime.service, runtime.settings.plan_min_units, TOP_LINES)
    blocks = build_plan_blocks(plan, runtime.settings.zone)
    return {
        "response_type": "in_channel",
        "text": plan_fallback(plan),
        "blocks": blocks,
        UPLOAD: plan_upload(runtime.service, plan),
    }


def deliver_with_file(
    context: BoltContext,
    respond: Respond,
    client: WebClient,
    channel_id: str,
    message: dict[str, Any],
    upload: Upload,
) -> None:
    """The answer, then its file, one after the other on the I/O pool; a refusal of
    either is told in one line (a channel the bot is not in refuses the file)."""

    def say(line: str) -> None:
        try:
            tell(respond, None, context, line)
        except Exception:
            log.exception("could not tell the person what happened to the plan")

    def run() -> None:
        try:
            send(respond, **message)
        except Exception as exc:
            log.exception("the plan answer was refused or lost")
            say(refusal(exc))
            return
        try:
            upload_file(client, channel_id, upload)
        except Exception as exc:
            log.exception("the plan's CSV was not uploaded")
            why = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc)
            say(
                _("The plan's CSV file was not attached: {why}").format(
                    why=escape_clipped(str(why), 200)
                )
            )

    pool: AnswerPool = context["answers"]
    pool.deliver(run)


def handle_mark_shipped(
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Record the list's lines as in transit, once per button, and stamp the message."""
    runtime: Runtime = context["runtime"]
    service, user, zone = runtime.service, body["user"]["id"], runtime.settings.zone
    channel, ts = clicked_message(body)
    block_id = action.get("block_id", "")
    key = f"ship:{channel}:{ts}:{block_id}"
    try:
        interactions.check_admin(runtime.settings.admins, user, phrases.MARK_SHIPPED)
        try:
            name = plan_service.parse_list(str(json.loads(action.get("value", ""))["list"]))
        except (ValueError, KeyError, TypeError):
            raise InvalidInput("value", _("this button does not carry a plan list")) from None
    except StockbotError as exc:
        tell(
            respond, client, context, _("Not recorded: {why}.").format(why=escape(error_text(exc)))
        )
        return
    said = _("Already marked shipped by {who} at {time}; nothing recorded twice.")
    if claimed_before(service, key, user, zone, said, (respond, client, context)):
        return
    try:
        shipped = plan_service.mark_shipped(
            service, name, runtime.settings.plan_min_units, user, key
        )
    except Exception:
        interactions.release_click(service, key)
        raise
    stamp = shipped_line(shipped.lines, shipped.units, user, service.clock(), zone)

    def stamped(current: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
        blocks = [context_block(stamp) if b.get("block_id") == block_id else b for b in current]
        return stamp, blocks or [context_block(stamp)]

    interactions.edit_message(
        service, channel, ts, body.get("message") or {}, stamped, message_replacer(body, respond)
    )
