"""Modals: the Change-amount form and the validation shown in a modal (from App Home,
or after the form is submitted)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.engine.models import TransferCheck, TransferProposal
from bot.i18n import _
from handlers.blocks.kit import Block, clip, escape, section
from handlers.blocks.transfer import build_transfer_blocks
from handlers.ids import AMOUNT_BLOCK, AMOUNT_INPUT, AMOUNT_VIEW


def _title(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": clip(text, 24)}


def amount_modal(proposal: TransferProposal, origin: dict[str, Any]) -> Block:
    """A number input prefilled with the proposal's amount; `origin` says where the
    button was (channel, message) and travels in private_metadata."""
    metadata = {"proposal": proposal.model_dump(), "origin": origin}
    return {
        "type": "modal",
        "callback_id": AMOUNT_VIEW,
        "title": _title(_("Change amount")),
        "submit": {"type": "plain_text", "text": _("Validate")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "private_metadata": json.dumps(metadata, separators=(",", ":"))[:3000],
        "blocks": [
            section(
                _("Move *{sku}* from {source} to {destination}. How many units?").format(
                    sku=escape(proposal.sku),
                    source=proposal.from_account.upper(),
                    destination=proposal.to_account.upper(),
                )
            ),
            {
                "type": "input",
                "block_id": AMOUNT_BLOCK,
                "label": {"type": "plain_text", "text": _("Amount")},
                "element": {
                    "type": "number_input",
                    "action_id": AMOUNT_INPUT,
                    "is_decimal_allowed": False,
                    "min_value": "1",
                    "initial_value": str(proposal.amount),
                },
            },
        ],
    }


def check_modal(check: TransferCheck, now: datetime, zone: ZoneInfo, stale_hours: int) -> Block:
    return {
        "type": "modal",
        "title": _title(_("Transfer check")),
        "close": {"type": "plain_text", "text": _("Close")},
        # The check ends on what to do next: record the transfer once it is done.
        "blocks": build_transfer_blocks(check, now, zone, stale_hours, with_change=False),
    }


def message_modal(title: str, text: str) -> Block:
    return {
        "type": "modal",
        "title": _title(title),
        "close": {"type": "plain_text", "text": _("Close")},
        "blocks": [section(text)],
    }
