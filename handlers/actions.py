"""Button clicks: validate_transfer, change_amount, snooze, mark_transferred; and the
Change-amount modal's submission.

Clicks are acked on arrival (handlers.ack_now) and these run after, in the answer pool
(handlers/answering.py); clicks on messages answer through the action's response_url:
the message is updated in place, refusals are ephemeral. Clicks in App Home answer in
the modal opened for them before any database work (a view has no response_url)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import engine, interactions
from bot.engine.models import TransferProposal
from bot.errors import InsufficientStock, InvalidInput, StockbotError
from bot.i18n import _, error_text
from bot.runtime import Runtime
from handlers.answering import claimed_before, in_view, show_modal, tell
from handlers.blocks.kit import context as context_block
from handlers.blocks.kit import escape, local_time, section
from handlers.blocks.modals import amount_modal, check_modal, message_modal
from handlers.blocks.size import guard_view
from handlers.blocks.transfer import (
    build_transfer_blocks,
    done_line,
    replace_clicked,
    transfer_fallback,
)
from handlers.clicked import clicked_message, message_replacer
from handlers.ids import AMOUNT_BLOCK, AMOUNT_INPUT, SNOOZE_DAYS

log = logging.getLogger("stockbot.slack")


def parse_button_proposal(value: str) -> TransferProposal:
    """The proposal a transfer button carries; InvalidInput when it is not one."""
    try:
        data = json.loads(value)
        return engine.parse_proposal(
            str(data["sku"]), data["from_account"], data["to_account"], data["amount"]
        )
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("value", _("this button does not carry a transfer")) from None


def _stale_hours(runtime: Runtime) -> int:
    return runtime.service.rules.stale_snapshot_hours


def handle_validate_transfer(
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Validate the button's transfer against the current snapshot, in place."""
    runtime: Runtime = context["runtime"]
    service, user = runtime.service, body["user"]["id"]
    now, zone = service.clock(), runtime.settings.zone
    if in_view(body):
        try:
            proposal = parse_button_proposal(action.get("value", ""))
            check = service.validate_transfer(
                proposal.sku, proposal.from_account, proposal.to_account, proposal.amount
            )
            view = check_modal(check, now, zone, _stale_hours(runtime))
        except StockbotError as exc:
            view = message_modal(_("Transfer check"), escape(error_text(exc)))
        show_modal(client, context, view)
        return
    channel, ts = clicked_message(body)
    block_id = action.get("block_id", "")
    key = f"validate:{channel}:{ts}:{block_id}"
    said = _("Already validated by {who} at {time}.")
    if claimed_before(service, key, user, zone, said, (respond, client, context)):
        return
    try:
        proposal = parse_button_proposal(action.get("value", ""))
        check = service.validate_transfer(
            proposal.sku, proposal.from_account, proposal.to_account, proposal.amount
        )
        result = build_transfer_blocks(
            check, now, zone, _stale_hours(runtime), block_prefix=f"{block_id}:t"
        )
        text, stamp = transfer_fallback(check), done_line(_("Validated"), user, now, zone)
    except StockbotError as exc:
        result = [section(f"*{_('Cannot validate:')}* {escape(error_text(exc))}")]
        text, stamp = escape(error_text(exc)), done_line(_("Checked"), user, now, zone)
    try:
        edited = interactions.edit_message(
            service,
            channel,
            ts,
            body.get("message") or {},
            lambda current: (text, replace_clicked(current, block_id, result, stamp)),
            message_replacer(body, respond),
        )
    except Exception:
        # Not shown, so not done: give the click back before anything else.
        interactions.release_click(service, key)
        raise
    if not edited:
        interactions.release_click(service, key)
        tell(respond, client, context, _("Slack refused the update; try the button again."))


def handle_change_amount(
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Open the Change-amount modal, prefilled with the button's proposal. No database
    work, and not queued (handlers.answering.answered): it opens while the click's
    trigger_id is fresh."""
    try:
        proposal = parse_button_proposal(action.get("value", ""))
    except StockbotError as exc:
        tell(respond, client, context, escape(str(exc)))
        return
    channel, ts = clicked_message(body)
    modal = amount_modal(proposal, {"channel": channel, "ts": ts})
    client.views_open(trigger_id=body["trigger_id"], view=guard_view(modal))


def handle_amount_submission(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Validate the amount typed in the modal; a bad one is a field error in the modal.

    The one listener that works before its ack: Slack takes a field error only in the
    ack itself. The work is one product's read and a pure check."""
    runtime: Runtime = context["runtime"]
    service = runtime.service
    typed = (
        view.get("state", {})
        .get("values", {})
        .get(AMOUNT_BLOCK, {})
        .get(AMOUNT_INPUT, {})
        .get("value")
    )
    try:
        proposal = TransferProposal.model_validate(
            json.loads(view.get("private_metadata") or "{}").get("proposal")
        )
        check = service.validate_transfer(
            proposal.sku, proposal.from_account, proposal.to_account, typed
        )
    except (InvalidInput, InsufficientStock) as exc:
        ack(response_action="errors", errors={AMOUNT_BLOCK: str(exc)[:150]})
        return
    except (StockbotError, ValueError) as exc:
        view = message_modal(_("Transfer check"), escape(error_text(exc)))
        ack(response_action="update", view=view)
        return
    view_out = check_modal(check, service.clock(), runtime.settings.zone, _stale_hours(runtime))
    ack(response_action="update", view=guard_view(view_out))


def handle_snooze(
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Hide the SKU from digests for a few days (admins only when admins are set)."""
    runtime: Runtime = context["runtime"]
    user = body["user"]["id"]
    try:
        interactions.check_admin(runtime.settings.admins, user, "snooze alerts")
        sku = str(json.loads(action.get("value", "{}"))["sku"])
        result = interactions.snooze(runtime.service, sku, f"{SNOOZE_DAYS}d", user)
    except (ValueError, KeyError, TypeError):
        tell(respond, client, context, _("This button does not carry a SKU."))
        return
    except StockbotError as exc:
        tell(respond, client, context, _("Not done: {why}.").format(why=escape(error_text(exc))))
        return
    until = local_time(result.until, runtime.settings.zone)
    done = _("{sku} snoozed until {until} by {who}.").format(
        sku=escape(result.sku), until=until, who=f"<@{user}>"
    )
    tell(respond, client, context, done)


def handle_mark_transferred(
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Record who moved how much, once per button (admins only when admins are set)."""
    runtime: Runtime = context["runtime"]
    service, user = runtime.service, body["user"]["id"]
    zone = runtime.settings.zone
    try:
        interactions.check_admin(runtime.settings.admins, user, "mark transfers as done")
        proposal = parse_button_proposal(action.get("value", ""))
        channel, ts = clicked_message(body)
        # In a modal (the validation after Change amount) the view is the place.
        place = f"view:{(body.get('view') or {}).get('id', '')}" if in_view(body) else ts
        key = f"mark:{channel}:{place}:{action.get('block_id', '')}"
        marked = interactions.mark_transferred(service, proposal, user, key)
    except StockbotError as exc:
        why = escape(error_text(exc))
        tell(respond, client, context, _("Not recorded: {why}.").format(why=why))
        return
    record = marked.record
    if not marked.created:
        tell(
            respond,
            client,
            context,
            _("Already recorded by {who} at {time}; nothing recorded twice.").format(
                who=f"<@{record.recorded_by}>", time=local_time(record.recorded_at, zone, "HH:mm")
            ),
        )
        return
    stamp = done_line(
        _("Transfer of {units} {source} -> {destination} marked done").format(
            units=record.amount,
            source=record.from_account.upper(),
            destination=record.to_account.upper(),
        ),
        user,
        record.recorded_at,
        zone,
    )
    written = interactions.push_main_after_transfer(runtime, proposal, user, key)
    if written:
        stamp += f". {escape(written)}"
    clicked = action.get("block_id")

    def stamped(current: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
        blocks = [context_block(stamp) if b.get("block_id") == clicked else b for b in current]
        return stamp, blocks or [context_block(stamp)]

    if in_view(body):
        # The check the click came from, stamped, in the modal opened for the click.
        view = body.get("view") or {}
        kept = {k: view[k] for k in ("type", "title", "close") if k in view}
        show_modal(client, context, {**kept, "blocks": stamped(view.get("blocks") or [])[1]})
        return
    channel, ts = clicked_message(body)
    interactions.edit_message(
        service, channel, ts, body.get("message") or {}, stamped, message_replacer(body, respond)
    )
