"""Block Kit for a transfer validation: current -> proposed stock, impact per account,
warnings, notes and the recommendation; and the message after a button click, with the
clicked button replaced by who validated it and when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.engine.models import TransferCheck
from handlers.blocks.kit import (
    Block,
    actions,
    button,
    clip,
    confirm_dialog,
    context,
    data_age_line,
    escape,
    local_time,
    section,
)
from handlers.blocks.size import within_limits
from handlers.ids import CHANGE_AMOUNT, MARK_TRANSFERRED


def proposed_line(check: TransferCheck) -> str:
    """e.g. "Proposed: FBE 16 / MAIN 10"."""
    source, destination = check.transfer["from_account"], check.transfer["to_account"]
    state = check.proposed_state
    return (
        f"Proposed: {source.upper()} {state[f'stock_{source}']} / "
        f"{destination.upper()} {state[f'stock_{destination}']}"
    )


def build_transfer_blocks(
    check: TransferCheck,
    now: datetime,
    zone: ZoneInfo,
    stale_hours: int,
    with_actions: bool = True,
    block_prefix: str = "transfer",
    with_change: bool = True,
) -> list[Block]:
    move = check.transfer
    source, destination = move["from_account"], move["to_account"]
    impacts = {
        source: check.impact.from_account_impact,
        destination: check.impact.to_account_impact,
    }
    fields = [
        f"*{account.upper()}*\n{check.current_state[f'stock_{account}']} -> "
        f"*{check.proposed_state[f'stock_{account}']}*\n{impacts[account]}"
        for account in (source, destination)
    ]
    blocks: list[Block] = [
        section(
            f"*Transfer check: {escape(check.sku)}* - move {move['amount']} "
            f"{source.upper()} -> {destination.upper()}\n{proposed_line(check)}",
            fields=fields,
            block_id=f"{block_prefix}:check",
        )
    ]
    if check.warnings:
        blocks.append(section("*Warnings*\n" + "\n".join(f"- {escape(w)}" for w in check.warnings)))
    if check.notes:
        blocks.append(context("\n".join(f"Note: {escape(note)}" for note in check.notes)))
    blocks.append(section(f"*Recommendation: {check.recommendation}*"))
    blocks.append(context(data_age_line(check.data_as_of, check.stale, now, zone, stale_hours)))
    if with_actions:
        value = {
            "sku": check.sku,
            "from_account": source,
            "to_account": destination,
            "amount": move["amount"],
        }
        confirm = confirm_dialog(
            "Mark transferred?",
            f"Record that {move['amount']} of {escape(check.sku)} moved "
            f"{source.upper()} -> {destination.upper()}. For an admin, stockbot also sets "
            "the new MAIN stock on eMAG.",
            "Record it",
        )
        blocks.append(
            actions(
                [
                    button("Mark transferred", MARK_TRANSFERRED, value, confirm=confirm),
                    *([button("Change amount", CHANGE_AMOUNT, value)] if with_change else []),
                ],
                f"{block_prefix}:actions",
            )
        )
    return blocks


def transfer_fallback(check: TransferCheck) -> str:
    return f"Transfer check {escape(check.sku)}: {proposed_line(check)} - {check.recommendation}"


def done_line(what: str, user: str, when: datetime, zone: ZoneInfo) -> str:
    return f"{what} by <@{escape(user)}> at {local_time(when, zone, '%H:%M')}"


def _swap(
    blocks: list[Block], block_id: str, replace: Callable[[Block | None], list[Block]]
) -> list[Block]:
    """`blocks` with the block `block_id` (its button taken off) given to `replace`, or
    None given and the result appended when no block has that id."""
    out: list[Block] = []
    found = False
    for block in blocks:
        if block.get("block_id") == block_id:
            found = True
            out += replace({k: v for k, v in block.items() if k != "accessory"})
        else:
            out.append(block)
    return out if found else out + replace(None)


def replace_clicked(
    blocks: list[Block], block_id: str, result: list[Block], stamp: str
) -> list[Block]:
    """The message with the clicked block's button gone, `result` and the `stamp` line
    (e.g. "Validated by @user at 09:12") in its place, within the message limits."""

    def expanded(clicked: Block | None) -> list[Block]:
        kept = [clicked] if clicked and clicked.get("type") == "section" else []
        return [*kept, *result, context(stamp)]

    out = _swap(blocks, block_id, expanded)
    if within_limits(out):
        return out
    # A full message (a long digest part): fold the result into the clicked block, as
    # much of it as the message has room for, the stamp always.
    summary = "\n".join(t for t in (_plain(block) for block in result) if t)
    for note in (f"{summary}\n{stamp}", f"{summary.partition(chr(10))[0]}\n{stamp}", stamp):

        def folded(clicked: Block | None, note: str = note) -> list[Block]:
            if clicked and clicked.get("type") == "section":
                text = clicked.get("text", {}).get("text", "")
                return [{**clicked, "text": {"type": "mrkdwn", "text": clip(f"{text}\n{note}")}}]
            return [section(note, block_id=block_id)]

        out = _swap(blocks, block_id, folded)
        if within_limits(out):
            break
    return out


def _plain(block: Block) -> str:
    parts = []
    if isinstance(block.get("text"), dict):
        parts.append(block["text"]["text"])
    parts += [field["text"].replace("\n", " ") for field in block.get("fields", [])]
    parts += [e.get("text", "") for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return "\n".join(parts)
