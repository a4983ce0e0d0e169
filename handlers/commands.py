"""`/stock`: parse the text into a command, call the service, render Block Kit.

The command is acked on arrival (handlers.ack_now) and answered from the answer pool
(handlers/answering.py) through `respond()`, within the size guard: analyses and reports
in the channel for the team, errors and usage ephemeral to the person who typed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot import engine, interactions
from bot.database_errors import database_trouble
from bot.engine.phrases import N_
from bot.errors import InvalidInput, StockbotError
from bot.i18n import _, counted, error_text
from bot.kpis import kpis
from bot.runtime import Runtime
from bot.service import parse_limit
from handlers.answering import deliver
from handlers.blocks.analysis import analysis_fallback, build_analysis_blocks
from handlers.blocks.kit import escape, local_time, unescape
from handlers.blocks.reports import build_alerts_blocks, build_bulk_blocks, build_summary_blocks
from handlers.blocks.size import guard
from handlers.blocks.transfer import build_transfer_blocks, transfer_fallback
from handlers.ids import SNOOZE_DAYS
from handlers.plan import UPLOAD, deliver_with_file, run_plan

log = logging.getLogger("stockbot.slack")

MAX_ALERTS = 50
DEFAULT_ALERTS = 10
MAX_BULK = 100
KPI_DAYS = 30

FORMS = {
    "analyze": "/stock analyze SKU",
    "alerts": "/stock alerts [N] [category:NAME]",
    "summary": "/stock summary",
    "plan": "/stock plan",
    "transfer": "/stock transfer SKU FROM TO AMOUNT",
    "bulk": "/stock bulk SKU SKU ...",
    "snooze": "/stock snooze SKU [DURATION]",
    "unsnooze": "/stock unsnooze SKU",
    "help": "/stock help",
}
# What each form's words mean, shown after it in the help.
_FORM_NOTES = {
    "alerts": N_("N from 1 to {most}"),
    "transfer": N_("e.g. /stock transfer EMG331 fbe main 10"),
    "bulk": N_("up to {most}"),
    "snooze": N_("3d, 12h, 2w or a date such as {example}; default {days}d"),
}
_ARITY = {
    "analyze": (1, 1),
    "alerts": (0, None),
    "summary": (0, 0),
    "plan": (0, 0),
    "transfer": (4, 4),
    "bulk": (1, None),
    "snooze": (1, 2),
    "unsnooze": (1, 1),
    "help": (0, None),
}


def form_text(name: str) -> str:
    """A command's form with what its words mean, e.g. "`/stock bulk SKU ...`  (up to 100)"."""
    note = _FORM_NOTES.get(name)
    if note is None:
        return f"`{FORMS[name]}`"
    most = MAX_ALERTS if name == "alerts" else MAX_BULK
    example = (date.today() + timedelta(days=7)).isoformat()
    meaning = _(note).format(most=most, example=example, days=SNOOZE_DAYS)
    return f"`{FORMS[name]}`  ({meaning})"


def usage() -> str:
    """The help: what stockbot does and every command's form."""
    return (
        _("*stockbot* keeps MAIN and FBE offers selling. Commands:")
        + "\n"
        + "\n".join(form_text(name) for name in FORMS)
    )


Message = dict[str, Any]


class UsageError(Exception):
    """The text after /stock is not a command stockbot knows how to run."""


@dataclass
class StockCommand:
    name: str
    args: list[str] = field(default_factory=list)

    @property
    def form(self) -> str:
        return form_text(self.name)


def parse_stock_command(text: str) -> StockCommand:
    """`analyze EMG331` -> StockCommand("analyze", ["EMG331"]); UsageError when wrong."""
    words = text.split()
    if not words:
        return StockCommand("help")
    name, args = words[0].lower(), words[1:]
    if name not in FORMS:
        raise UsageError(
            _(
                "Unknown subcommand `{word}`: use one of {names} (`/stock help` shows their forms)."
            ).format(word=escape(words[0][:40]), names=", ".join(FORMS))
        )
    least, most = _ARITY[name]
    if len(args) < least or (most is not None and len(args) > most):
        if most == 0:
            wanted = _("no arguments")
        elif least == most:
            wanted = counted(least, "{n} argument", "{n} arguments")
        else:
            wanted = counted(least, "{n} or more argument", "{n} or more arguments")
        raise UsageError(
            _("`{name}` takes {wanted}, got {count}. Use {form}.").format(
                name=name, wanted=wanted, count=len(args), form=form_text(name)
            )
        )
    if name == "bulk" and len(args) > MAX_BULK:
        raise UsageError(
            _(
                "`bulk` takes at most {most} SKUs, got {count}; split the list or use "
                "`stockbot bulk` on the command line."
            ).format(most=MAX_BULK, count=len(args))
        )
    return StockCommand(name, args)


def _in_channel(text: str, blocks: list[dict[str, Any]]) -> Message:
    return {"response_type": "in_channel", "text": text, "blocks": blocks}


def _ephemeral(text: str) -> Message:
    return {"response_type": "ephemeral", "text": text}


def run_analyze(runtime: Runtime, request: StockCommand, user: str) -> Message:
    service = runtime.service
    product = service.analyzed_snapshot(request.args[0])
    now = service.clock()
    analysis = engine.analyze(product, now, service.rules)
    blocks = build_analysis_blocks(
        analysis, now, runtime.settings.zone, service.rules.stale_snapshot_hours, product
    )
    return _in_channel(analysis_fallback(analysis), blocks)


def run_alerts(runtime: Runtime, request: StockCommand, user: str) -> Message:
    # `category:Name` (the name may have spaces: everything after the colon) and/or N.
    words = list(request.args)
    category = None
    for index, word in enumerate(words):
        if word.lower().startswith("category:"):
            category = " ".join([word.split(":", 1)[1], *words[index + 1 :]]).strip()
            words = words[:index]
            break
    if category == "" or len(words) > 1:
        raise InvalidInput("N", "alerts takes a number and a category:NAME, each at most once")
    limit = parse_limit(words[0], MAX_ALERTS, "N") if words else DEFAULT_ALERTS
    report = runtime.service.alerts(limit, category)
    text = _("{total} products need attention; showing {shown}").format(
        total=report.total, shown=len(report.alerts)
    )
    return _in_channel(text, build_alerts_blocks(report))


def run_summary(runtime: Runtime, request: StockCommand, user: str) -> Message:
    service = runtime.service
    summary = service.summary()
    now = service.clock()
    blocks = build_summary_blocks(
        summary,
        now,
        runtime.settings.zone,
        service.rules.stale_snapshot_hours,
        kpis(runtime.sessions, now, KPI_DAYS),
    )
    text = _("{attention} of {tracked} need attention").format(
        attention=summary.products_needing_attention, tracked=summary.products_tracked
    )
    return _in_channel(text, blocks)


def run_transfer(runtime: Runtime, request: StockCommand, user: str) -> Message:
    service = runtime.service
    check = service.validate_transfer(*request.args)
    blocks = build_transfer_blocks(
        check, service.clock(), runtime.settings.zone, service.rules.stale_snapshot_hours
    )
    return _in_channel(transfer_fallback(check), blocks)


def run_bulk(runtime: Runtime, request: StockCommand, user: str) -> Message:
    report = runtime.service.bulk(request.args)
    text = _("{found} of {requested} found").format(found=report.found, requested=report.requested)
    return _in_channel(text, build_bulk_blocks(report))


def run_snooze(runtime: Runtime, request: StockCommand, user: str) -> Message:
    interactions.check_admin(runtime.settings.admins, user, "snooze alerts")
    duration = request.args[1] if len(request.args) > 1 else f"{SNOOZE_DAYS}d"
    result = interactions.snooze(runtime.service, request.args[0], duration, user)
    until = local_time(result.until, runtime.settings.zone, "dd MMM yyyy HH:mm")
    return _ephemeral(
        _(
            "{sku} is snoozed until {until} ({zone}): left out of digests until then, or "
            "earlier if it gets worse."
        ).format(sku=escape(result.sku), until=until, zone=runtime.settings.timezone)
    )


def run_unsnooze(runtime: Runtime, request: StockCommand, user: str) -> Message:
    interactions.check_admin(runtime.settings.admins, user, "unsnooze alerts")
    sku, was = interactions.unsnooze(runtime.service, request.args[0])
    if not was:
        return _ephemeral(_("{sku} was not snoozed.").format(sku=escape(sku)))
    return _ephemeral(_("{sku} is back in the digests.").format(sku=escape(sku)))


def run_help(runtime: Runtime, request: StockCommand, user: str) -> Message:
    return _ephemeral(usage())


RUNNERS: dict[str, Callable[[Runtime, StockCommand, str], Message]] = {
    "analyze": run_analyze,
    "alerts": run_alerts,
    "summary": run_summary,
    "plan": run_plan,
    "transfer": run_transfer,
    "bulk": run_bulk,
    "snooze": run_snooze,
    "unsnooze": run_unsnooze,
    "help": run_help,
}


def answer_stock_command(runtime: Runtime, text: str, user: str, channel: str) -> Message:
    """The message answering `/stock text`; bad input gives one ephemeral line."""
    allowed = runtime.settings.allowed_channels
    if allowed and channel not in allowed:
        return _ephemeral(_("stockbot answers only in its channels; ask an admin which ones."))
    try:
        request = parse_stock_command(text)
    except UsageError as exc:
        return _ephemeral(str(exc))
    try:
        return RUNNERS[request.name](runtime, request, user)
    except interactions.NotAllowed as exc:
        return _ephemeral(_("Not allowed: {why}.").format(why=error_text(exc)))
    except StockbotError as exc:
        return _ephemeral(
            _("{error}. Use {form}.").format(error=escape(error_text(exc)), form=request.form)
        )
    except Exception as exc:
        trouble = database_trouble(exc)
        if trouble:
            log.warning("/stock %s: %s", request.name, trouble[0])
            return _ephemeral(_(trouble[1]).capitalize() + ".")
        # The person still gets one line; the details go to the log, not to Slack.
        log.exception("/stock %s failed", request.name)
        return _ephemeral(_("Something went wrong on stockbot's side; it is in the log."))


def handle_stock_command(
    command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """/stock <subcommand> ...: the one slash command, answered after the ack."""
    runtime: Runtime = context["runtime"]
    text, channel = unescape(command.get("text", "")), command.get("channel_id", "")
    answer = answer_stock_command(runtime, text, command["user_id"], channel)
    upload = answer.pop(UPLOAD, None)  # the plan's CSV follows its answer
    if upload is not None:
        deliver_with_file(context, respond, client, channel, guard(answer), upload)
        return
    deliver(context, respond, f"/stock {text[:40]}", **guard(answer))
