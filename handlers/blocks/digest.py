"""Block Kit for the daily digest: split into messages within Slack's limits, each alert
a section whose block_id lets a later update mark it resolved in place."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.jobs.digest_plan import DigestEntry, DigestPlan
from bot.wording import issue_label, recommendation_line
from handlers.blocks.kit import (
    Block,
    button,
    context,
    escape,
    packed_sections,
    proposal_value,
    section,
)
from handlers.blocks.size import MAX_BLOCKS
from handlers.ids import VALIDATE_TRANSFER


def alert_block_id(product_id: int) -> str:
    return f"alert:{product_id}"


def _entry_block(entry: DigestEntry) -> Block:
    name = f" {escape(entry.name[:150])}" if entry.name else ""
    issues = ", ".join(issue_label(issue) for issue in entry.issues)
    lines = [
        f"*{escape(entry.sku)}*{name}",
        f"[{entry.priority.upper()}] {entry.change} - {issues} - "
        f"MAIN {entry.stock_main} / FBE {entry.stock_fbe}",
    ]
    rec = entry.top_recommendation
    if rec is not None:
        lines.append(escape(recommendation_line(rec)))
    block = section("\n".join(lines), block_id=alert_block_id(entry.product_id))
    if rec is not None and rec.is_transfer:
        block["accessory"] = button(
            "Validate transfer", VALIDATE_TRANSFER, proposal_value(entry.sku, rec)
        )
    return block


def _header(plan: DigestPlan, zone: ZoneInfo) -> list[Block]:
    counts = plan.counts
    as_of = (
        plan.data_as_of.astimezone(zone).strftime("%d %b %H:%M") if plan.data_as_of else "unknown"
    )
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Stock alerts digest"}},
        section(
            f"*High* {counts['high']}  |  *Medium* {counts['medium']}  |  *Low* {counts['low']}"
            "  (open alerts in the whole catalogue)"
        ),
        context(f"Data as of {as_of} ({zone.key})" + ("  -  STALE data" if plan.stale else "")),
    ]
    if plan.late_note:
        blocks.append(context(escape(plan.late_note)))
    return blocks


def build_digest_messages(
    plan: DigestPlan, zone: ZoneInfo, all_clear: bool = True
) -> tuple[list[Block], dict[int, int]]:
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
            text += f" {escape(plan.late_note)}"
        return [{"text": text, "blocks": [section(text)]}], {}

    body: list[tuple[Block, int | None]] = []
    if plan.entries:
        body.append((section(f"*New or worse ({len(plan.entries)})*"), None))
        body += [(_entry_block(entry), entry.product_id) for entry in plan.entries]
    if plan.overflow:
        body.append(
            (context(f"and {plan.overflow} more new or worse - `/stock alerts` lists them"), None)
        )
    if plan.resolved_skus:
        title = f"Resolved since the last digest ({len(plan.resolved_skus)})"
        body += [
            (block, None)
            for block in packed_sections([escape(sku) for sku in plan.resolved_skus], title)
        ]
    tail = [
        f"{plan.unchanged} alert(s) unchanged since the last digest - `/stock alerts` lists them"
    ]
    if plan.snoozed:
        tail.append(f"{plan.snoozed} snoozed alert(s) left out")
    body.append((context("  |  ".join(tail)), None))

    header = _header(plan, zone)
    chunks: list[list[tuple[Block, int | None]]] = []
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
            else [context(f"Stock alerts digest, part {index + 1} of {len(chunks)}")]
        )
        payloads.append({"text": fallback, "blocks": lead + [block for block, _ in chunk]})
        parts_of.update({product_id: index for _, product_id in chunk if product_id is not None})
    return payloads, parts_of


def mark_resolved(
    payload: Block, product_id: int, sku: str, now: datetime, zone: ZoneInfo
) -> Block:
    """The same message with the alert's section saying it resolved (no button)."""
    block_id = alert_block_id(product_id)
    when = now.astimezone(zone).strftime("%d %b %H:%M")
    blocks = [
        section(f"~{escape(sku)}~  resolved at {when}", block_id=block_id)
        if block.get("block_id") == block_id
        else block
        for block in payload.get("blocks", [])
    ]
    return {**payload, "blocks": blocks}
