"""Block Kit for a transfer validation: current -> proposed stock, impact per account,
warnings, notes and the recommendation; and the message after a button click, with the
clicked button replaced by who validated it and when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.engine.models import TransferCheck
from bot.i18n import _, engine_text
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
    return _("Proposed: {source} {source_stock} / {destination} {destination_stock}").format(
        source=source.upper(),
        source_stock=state[f"stock_{source}"],
        destination=destination.upper(),
        destination_stock=state[f"stock_{destination}"],
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
        source: engine_text(check.impact.from_account_impact),
        destination: engine_text(check.impact.to_account_impact),
    }
    fields = [
        f"*{account.upper()}*\n{check.current_state[f'stock_{account}']} -> "
        f"*{check.proposed_state[f'stock_{account}']}*\n{impacts[account]}"
        for account in (source, destination)
    ]
    blocks: list[Block] = [
        section(
            "*"
            + _("Transfer check: {sku}").format(sku=escape(check.sku))
            + "* - "
            + _("move {units} {source} -> {destination}").format(
                units=move["amount"], source=source.upper(), destination=destination.upper()
            )
            + f"\n{proposed_line(check)}",
            fields=fields,
            block_id=f"{block_prefix}:check",
        )
    ]
    if check.warnings:
        warnings = "\n".join(f"- {escape(engine_text(w))}" for w in check.warnings)
        blocks.append(section("*" + _("Warnings") + "*\n" + warnings))
    if check.notes:
        notes = [_("Note: {note}").format(note=escape(engine_text(n))) for n in check.notes]
        blocks.append(context("\n".join(notes)))
    what = engine_text(check.recommendation)
    blocks.append(section("*" + _("Recommendation: {what}").format(what=what) + "*"))
    blocks.append(context(data_age_line(check.data_as_of, check.stale, now, zone, stale_hours)))
    if with_actions:
        value = {
            "sku": check.sku,
            "from_account": source,
            "to_account": destination,
            "amount": move["amount"],
        }
        confirm = confirm_dialog(
            _("Mark transferred?"),
            _(
                "Record that {units} of {sku} moved {source} -> {destination}. For an admin, "
                "stockbot also sets the new MAIN stock on eMAG."
            ).format(
                units=move["amount"],
                sku=escape(check.sku),
                source=source.upper(),
                destination=destination.upper(),
            ),
            _("Record it"),
        )
        blocks.append(
            actions(
                [
                    button(_("Mark transferred"), MARK_TRANSFERRED, value, confirm=confirm),
                    *([button(_("Change amount"), CHANGE_AMOUNT, value)] if with_change else []),
                ],
                f"{block_prefix}:actions",
            )
        )
    return blocks


def transfer_fallback(check: TransferCheck) -> str:
    return (
        _("Transfer check: {sku}").format(sku=escape(check.sku))
        + f" {proposed_line(check)} - {engine_text(check.recommendation)}"
    )


def done_line(what: str, user: str, when: datetime, zone: ZoneInfo) -> str:
    return _("{what} by {who} at {time}").format(
        what=what, who=f"<@{escape(user)}>", time=local_time(when, zone, "HH:mm")
    )


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
