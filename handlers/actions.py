"""Button clicks: validate_transfer, change_amount, snooze, mark_transferred; and the
Change-amount modal's submission.

Clicks are acked on arrival (handlers.ack_now) and these run after; clicks on
messages answer through the action's response_url: the message is updated in
place, refusals are ephemeral. Clicks in App Home open a modal instead (a view has no
response_url)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot import engine, interactions
from bot.engine.models import TransferProposal
from bot.errors import InsufficientStock, InvalidInput, StockbotError
from bot.runtime import Runtime
from handlers.blocks.kit import context as context_block
from handlers.blocks.kit import escape, local_time, section
from handlers.blocks.modals import amount_modal, check_modal, message_modal
from handlers.blocks.transfer import (
    build_transfer_blocks,
    done_line,
    replace_clicked,
    transfer_fallback,
)
from handlers.ids import AMOUNT_BLOCK, AMOUNT_INPUT, SNOOZE_DAYS

EDIT_TIMEOUT_SECONDS = 5


def parse_button_proposal(value: str) -> TransferProposal:
    """The proposal a transfer button carries; InvalidInput when it is not one."""
    try:
        data = json.loads(value)
        return engine.parse_proposal(
            str(data["sku"]), data["from_account"], data["to_account"], data["amount"]
        )
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("value", "this button does not carry a transfer") from None


def _where(body: dict[str, Any]) -> tuple[str, str]:
    """The clicked message's channel and ts ("" when the click was not in a message)."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
    return channel, container.get("message_ts", "")


def _stale_hours(runtime: Runtime) -> int:
    return runtime.service.rules.stale_snapshot_hours


def _in_view(body: dict[str, Any]) -> bool:
    return (body.get("container") or {}).get("type") == "view"


def _tell(body: dict[str, Any], respond: Respond, client: WebClient, text: str) -> None:
    """One line to the person who clicked: ephemeral in a channel, a small modal in App
    Home (a view has no response_url)."""
    if _in_view(body):
        client.views_open(trigger_id=body["trigger_id"], view=message_modal("stockbot", text))
    else:
        respond(response_type="ephemeral", replace_original=False, text=text)


def _replace_with(
    body: dict[str, Any], respond: Respond
) -> Callable[[str, list[dict[str, Any]]], bool]:
    """Replace the clicked message through the action's response_url.

    The edit holds the message's row lock while Slack answers, so the call gets a short
    timeout of its own rather than Bolt's 30 s default."""
    url = body.get("response_url")

    def send(text: str, blocks: list[dict[str, Any]]) -> bool:
        if not url:
            return respond(replace_original=True, text=text, blocks=blocks).status_code == 200
        answer = WebhookClient(url, timeout=EDIT_TIMEOUT_SECONDS).send(
            text=text, blocks=blocks, replace_original=True
        )
        return answer.status_code == 200

    return send


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
    if _in_view(body):
        try:
            proposal = parse_button_proposal(action.get("value", ""))
            check = service.validate_transfer(
                proposal.sku, proposal.from_account, proposal.to_account, proposal.amount
            )
            view = check_modal(check, now, zone, _stale_hours(runtime))
        except StockbotError as exc:
            view = message_modal("Transfer check", escape(str(exc)))
        client.views_open(trigger_id=body["trigger_id"], view=view)
        return
    channel, ts = _where(body)
    block_id = action.get("block_id", "")
    key = f"validate:{channel}:{ts}:{block_id}"
    earlier = interactions.claim_click(service, key, user)
    if earlier is not None:
        _tell(
            body,
            respond,
            client,
            f"Already validated by <@{earlier.user_id}> at "
            f"{local_time(earlier.claimed_at, zone, '%H:%M')}.",
        )
        return
    try:
        proposal = parse_button_proposal(action.get("value", ""))
        check = service.validate_transfer(
            proposal.sku, proposal.from_account, proposal.to_account, proposal.amount
        )
        result = build_transfer_blocks(
            check, now, zone, _stale_hours(runtime), block_prefix=f"{block_id}:t"
        )
        text, stamp = transfer_fallback(check), done_line("Validated", user, now, zone)
    except StockbotError as exc:
        result = [section(f"*Cannot validate:* {escape(str(exc))}")]
        text, stamp = str(exc), done_line("Checked", user, now, zone)
    try:
        edited = interactions.edit_message(
            service,
            channel,
            ts,
            body.get("message") or {},
            lambda current: (text, replace_clicked(current, block_id, result, stamp)),
            _replace_with(body, respond),
        )
    except Exception:
        # Not shown, so not done: give the click back before anything else.
        interactions.release_click(service, key)
        raise
    if not edited:
        interactions.release_click(service, key)
        _tell(body, respond, client, "Slack refused the update; try the button again.")


def handle_change_amount(
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
) -> None:
    """Open the Change-amount modal, prefilled with the button's proposal."""
    try:
        proposal = parse_button_proposal(action.get("value", ""))
    except StockbotError as exc:
        _tell(body, respond, client, escape(str(exc)))
        return
    channel, ts = _where(body)
    client.views_open(
        trigger_id=body["trigger_id"], view=amount_modal(proposal, {"channel": channel, "ts": ts})
    )


def handle_amount_submission(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Validate the amount typed in the modal; a bad one is a field error in the modal."""
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
        ack(response_action="update", view=message_modal("Transfer check", escape(str(exc))))
        return
    view_out = check_modal(check, service.clock(), runtime.settings.zone, _stale_hours(runtime))
    ack(response_action="update", view=view_out)


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
        _tell(body, respond, client, "This button does not carry a SKU.")
        return
    except StockbotError as exc:
        _tell(body, respond, client, f"Not done: {escape(str(exc))}.")
        return
    until = local_time(result.until, runtime.settings.zone, "%d %b %H:%M")
    _tell(body, respond, client, f"{escape(result.sku)} snoozed until {until} by <@{user}>.")


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
        channel, ts = _where(body)
        # In a modal (the validation after Change amount) the view is the place.
        place = f"view:{(body.get('view') or {}).get('id', '')}" if _in_view(body) else ts
        key = f"mark:{channel}:{place}:{action.get('block_id', '')}"
        marked = interactions.mark_transferred(service, proposal, user, key)
    except StockbotError as exc:
        _tell(body, respond, client, f"Not recorded: {escape(str(exc))}.")
        return
    record = marked.record
    if not marked.created:
        _tell(
            body,
            respond,
            client,
            f"Already recorded by <@{record.recorded_by}> at "
            f"{local_time(record.recorded_at, zone, '%H:%M')}; nothing recorded twice.",
        )
        return
    stamp = done_line(
        f"Transfer of {record.amount} {record.from_account.upper()} -> "
        f"{record.to_account.upper()} marked done",
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

    if _in_view(body):
        view = body.get("view") or {}
        kept = {k: view[k] for k in ("type", "title", "close", "private_metadata") if k in view}
        client.views_update(
            view_id=view.get("id"),
            hash=view.get("hash"),
            view={**kept, "blocks": stamped(view.get("blocks") or [])[1]},
        )
        return
    channel, ts = _where(body)
    interactions.edit_message(
        service, channel, ts, body.get("message") or {}, stamped, _replace_with(body, respond)
    )
