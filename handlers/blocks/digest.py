"""Block Kit for the daily digest: split into messages within Slack's limits, each alert
a section whose block_id lets a later update mark it resolved in place."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.textviews import recommendation_line

if TYPE_CHECKING:
    from bot.digest import DigestEntry, DigestPlan

MAX_BLOCKS = 50
MAX_TEXT = 3000
VALIDATE_TRANSFER = "validate_transfer"
_ISSUE_LABELS = {
    "zero_stock_with_competition": "zero stock with competition",
    "low_stock_with_competition": "low stock with competition",
    "needs_weekly_update": "needs weekly update",
    "imbalanced": "imbalanced",
}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_TEXT]}}
    if block_id:
        block["block_id"] = block_id
    return block


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_TEXT]}]}


def alert_block_id(product_id: int) -> str:
    return f"alert:{product_id}"


def _entry_block(entry: DigestEntry) -> dict[str, Any]:
    name = f" {_escape(entry.name[:150])}" if entry.name else ""
    issues = ", ".join(_ISSUE_LABELS.get(issue, issue) for issue in entry.issues)
    lines = [
        f"*{_escape(entry.sku)}*{name}",
        f"[{entry.priority.upper()}] {entry.change} - {issues} - "
        f"MAIN {entry.stock_main} / FBE {entry.stock_fbe}",
    ]
    rec = entry.top_recommendation
    if rec is not None:
        lines.append(_escape(recommendation_line(rec)))
    block = _section("\n".join(lines), alert_block_id(entry.product_id))
    if rec is not None and rec.is_transfer:
        proposal = {
            "sku": entry.sku,
            "from_account": rec.from_account,
            "to_account": rec.to_account,
            "amount": rec.suggested_amount,
        }
        block["accessory"] = {
            "type": "button",
            "action_id": VALIDATE_TRANSFER,
            "text": {"type": "plain_text", "text": "Validate transfer"},
            "value": json.dumps(proposal, separators=(",", ":"))[:2000],
        }
    return block


def _text_sections(title: str, lines: Sequence[str]) -> list[dict[str, Any]]:
    """`lines` under a bold title, as few sections as fit 3000 characters each."""
    blocks, current = [], f"*{title}*"
    for line in lines:
        if len(current) + len(line) + 1 > MAX_TEXT:
            blocks.append(_section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    blocks.append(_section(current))
    return blocks


def _header(plan: DigestPlan, zone: ZoneInfo) -> list[dict[str, Any]]:
    counts = plan.counts
    as_of = (
        plan.data_as_of.astimezone(zone).strftime("%d %b %H:%M") if plan.data_as_of else "unknown"
    )
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Stock alerts digest"}},
        _section(
            f"*High* {counts['high']}  |  *Medium* {counts['medium']}  |  *Low* {counts['low']}"
            "  (open alerts in the whole catalogue)"
        ),
        _context(f"Data as of {as_of} ({zone.key})" + ("  -  STALE data" if plan.stale else "")),
    ]
    if plan.late_note:
        blocks.append(_context(_escape(plan.late_note)))
    return blocks


def build_digest_messages(
    plan: DigestPlan, zone: ZoneInfo, all_clear: bool = True
) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """The digest's messages in order, and which message shows each alert (by product)."""
    if not plan.entries and not plan.resolved_skus:
        if not all_clear and not plan.late_note:
            return [], {}
        counts = plan.counts
        text = (
            "All clear: nothing new or worse since the last digest "
            f"({counts['high']} high, {counts['medium']} medium, {counts['low']} low still open)."
        )
        if plan.late_note:
            text += f" {_escape(plan.late_note)}"
        return [{"text": text, "blocks": [_section(text)]}], {}

    body: list[tuple[dict[str, Any], int | None]] = []
    if plan.entries:
        body.append((_section(f"*New or worse ({len(plan.entries)})*"), None))
        body += [(_entry_block(entry), entry.product_id) for entry in plan.entries]
    if plan.overflow:
        body.append(
            (_context(f"and {plan.overflow} more new or worse - `/stock alerts` lists them"), None)
        )
    if plan.resolved_skus:
        title = f"Resolved since the last digest ({len(plan.resolved_skus)})"
        body += [
            (block, None)
            for block in _text_sections(title, [_escape(sku) for sku in plan.resolved_skus])
        ]
    tail = [
        f"{plan.unchanged} alert(s) unchanged since the last digest - `/stock alerts` lists them"
    ]
    if plan.snoozed:
        tail.append(f"{plan.snoozed} snoozed alert(s) left out")
    body.append((_context("  |  ".join(tail)), None))

    header = _header(plan, zone)
    chunks: list[list[tuple[dict[str, Any], int | None]]] = []
    room = MAX_BLOCKS - len(header)
    while body:
        chunks.append(body[:room])
        body = body[room:]
        room = MAX_BLOCKS - 1  # later parts start with one continuation line
    payloads, parts_of = [], {}
    fallback = f"Stock digest: {len(plan.entries)} new or worse, {len(plan.resolved_skus)} resolved"
    for index, chunk in enumerate(chunks):
        lead = (
            header
            if index == 0
            else [_context(f"Stock alerts digest, part {index + 1} of {len(chunks)}")]
        )
        payloads.append({"text": fallback, "blocks": lead + [block for block, _ in chunk]})
        parts_of.update({product_id: index for _, product_id in chunk if product_id is not None})
    return payloads, parts_of


def mark_resolved(
    payload: dict[str, Any], product_id: int, sku: str, now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    """The same message with the alert's section saying it resolved (no button)."""
    block_id = alert_block_id(product_id)
    when = now.astimezone(zone).strftime("%d %b %H:%M")
    blocks = [
        _section(f"~{_escape(sku)}~  resolved at {when}", block_id)
        if block.get("block_id") == block_id
        else block
        for block in payload.get("blocks", [])
    ]
    return {**payload, "blocks": blocks}
