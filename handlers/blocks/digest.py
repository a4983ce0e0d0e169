"""Block Kit for the daily digest: one channel message (the counts, the lost sales, the
most urgent new or worse alerts with their buttons, what resolved) and the rest as
replies in its thread, every part within the message limits, the channel message with
room left for a validation to be shown in place. Each alert is a section whose block_id
lets a later update mark it resolved in place.

The thread lists the other alerts one compact line each, without buttons: a button
takes ~200 characters of JSON, which would double the replies (and the minutes they
take at one post a second); `/stock analyze SKU` gives any of them with its buttons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.engine.models import ACCOUNTS
from bot.engine.phrases import N_
from bot.formats import calendar_day, clock, money
from bot.i18n import _, counted
from bot.jobs.digest_plan import DigestEntry, DigestPlan
from bot.wording import (
    account_numbers,
    issue_label,
    priority_label,
    recommendation_action,
    recommendation_line,
    transit_text,
)
from handlers.blocks.kit import (
    Block,
    button,
    clip,
    context,
    escape,
    escape_clipped,
    header,
    proposal_value,
    section,
)
from handlers.blocks.size import MESSAGE, split, within_limits
from handlers.ids import VALIDATE_TRANSFER

HEAD_ALERTS = 10
RESOLVED_IN_HEAD = 800  # characters of resolved SKUs in the channel message
# The channel message keeps room for a click to show its validation in place
# (replace_clicked); the thread's parts have no buttons to click.
HEAD_BUDGET = MESSAGE.less(text=2_000, json=3_000)
TITLE = N_("Stock alerts digest")
_CHANGES = {"new": N_("new"), "worse": N_("worse")}

Payload = dict[str, object]


def alert_block_id(product_id: int) -> str:
    return f"alert:{product_id}"


def _day(day: date | None) -> str:
    if day is None:
        return _("since the last digest")
    return _("since {day}").format(day=calendar_day(day))


def _change(entry: DigestEntry) -> str:
    return _(_CHANGES[entry.change]) if entry.change in _CHANGES else entry.change


def _lost(entry: DigestEntry) -> str:
    return " - " + _("{amount}/day lost").format(amount=money(entry.lost_sales))


def _numbers(entry: DigestEntry) -> str:
    """Per account stock, sales per day and days of cover, then what is in transit."""
    shown = " / ".join(
        account_numbers(entry, account, account in entry.listed_on)  # type: ignore[arg-type]
        for account in ACCOUNTS
    )
    moving = [
        transit_text(getattr(entry, f"in_transit_{account}"), account, None) for account in ACCOUNTS
    ]
    return shown + "".join(f" - {text}" for text in moving if text)


def _entry_block(entry: DigestEntry) -> Block:
    name = f" {escape_clipped(entry.name, 150)}" if entry.name else ""
    issues = ", ".join(issue_label(issue) for issue in entry.issues)
    loss = _lost(entry) if entry.lost_sales else ""
    priority = priority_label(entry.priority).upper()
    lines = [
        f"*{escape_clipped(entry.sku, 200)}*{name}",
        f"[{priority}] {_change(entry)} - {issues} - {_numbers(entry)}{loss}",
    ]
    rec = entry.top_recommendation
    if rec is not None:
        lines.append(escape(recommendation_line(rec)))
    block = section("\n".join(lines), block_id=alert_block_id(entry.product_id))
    if rec is not None and rec.is_transfer:
        block["accessory"] = button(
            _("Validate transfer"), VALIDATE_TRANSFER, proposal_value(entry.sku, rec)
        )
    return block


def _thread_entry_block(entry: DigestEntry) -> Block:
    name = f" {escape_clipped(entry.name, 60)}" if entry.name else ""
    issues = ", ".join(issue_label(issue) for issue in entry.issues)
    loss = _lost(entry) if entry.lost_sales else ""
    rec = entry.top_recommendation
    action = f"\n{escape(recommendation_action(rec))}" if rec is not None else ""
    priority = priority_label(entry.priority).upper()
    return section(
        f"*{escape_clipped(entry.sku, 200)}*{name} [{priority}] {_change(entry)}"
        f" - {issues} - {_numbers(entry)}{loss}{action}",
        block_id=alert_block_id(entry.product_id),
    )


def _counts(plan: DigestPlan, zone: ZoneInfo) -> list[Block]:
    counts = plan.counts
    as_of = clock(plan.data_as_of, zone) if plan.data_as_of else _("unknown")
    levels = "  |  ".join(
        f"*{priority_label(name).capitalize()}* {counts[name]}"
        for name in ("high", "medium", "low")
    )
    lost = _("{amount}/day").format(amount=money(plan.lost_sales_per_day))
    blocks = [
        header(_(TITLE)),
        section(
            f"{levels}  "
            + _("(open alerts in the whole catalogue)")
            + f"\n*{_('Lost sales')}* {lost} "
            + _("(zero stock with competition, at today's prices)")
        ),
        context(
            _("Data as of {moment} ({zone})").format(moment=as_of, zone=zone.key)
            + ("  -  " + _("STALE data") if plan.stale else "")
        ),
    ]
    if plan.late_note:
        blocks.append(context(escape_clipped(plan.late_note, 2_000)))
    return blocks


def _resolved_line(plan: DigestPlan) -> tuple[str, bool]:
    """The resolved SKUs for the channel message, and whether all of them fit there."""
    skus = [escape(sku) for sku in plan.resolved_skus]
    joined = ", ".join(skus)
    title = "*" + _resolved_title(plan) + "*\n"
    if len(joined) <= RESOLVED_IN_HEAD:
        return title + joined, True
    shown = clip(joined, RESOLVED_IN_HEAD).removesuffix("...").rpartition(", ")[0]
    rest = len(skus) - (shown.count(", ") + 1 if shown else 0)
    more = _("and {n} more (all of them in the thread)").format(n=rest)
    return f"{title}{shown} {more}", False


def _resolved_title(plan: DigestPlan) -> str:
    return _("Resolved {since} ({count})").format(
        since=_day(plan.since), count=len(plan.resolved_skus)
    )


def _channel_message(plan: DigestPlan, zone: ZoneInfo, shown: int) -> tuple[list[Block], bool]:
    """The channel message with the first `shown` alerts, and whether the resolved list
    fits in it."""
    blocks = _counts(plan, zone)
    if plan.entries:
        title = _("New or worse {since} ({count})").format(
            since=_day(plan.since), count=len(plan.entries)
        )
        blocks.append(section(f"*{title}*"))
        blocks += [_entry_block(entry) for entry in plan.entries[:shown]]
    more = []
    if len(plan.entries) > shown:
        more.append(_("{n} more in the thread").format(n=len(plan.entries) - shown))
    if plan.overflow:
        more.append(_("{n} more not listed - `/stock alerts` lists them").format(n=plan.overflow))
    if more:
        blocks.append(context("  |  ".join(more)))
    resolved_whole = True
    if plan.resolved_skus:
        line, resolved_whole = _resolved_line(plan)
        blocks.append(section(line))
    tail = [
        counted(
            plan.unchanged,
            "{n} alert unchanged {since}",
            "{n} alerts unchanged {since}",
            since=_day(plan.since),
        )
    ]
    if plan.snoozed:
        tail.append(
            counted(plan.snoozed, "{n} snoozed alert left out", "{n} snoozed alerts left out")
        )
    blocks.append(context("  |  ".join(tail) + " - " + _("`/stock alerts` lists them")))
    return blocks, resolved_whole


def _nothing_new(plan: DigestPlan) -> list[Block]:
    if plan.open_alerts:
        text = _("Nothing new {since}; {open} alerts still open ({high} high).").format(
            since=_day(plan.since), open=plan.open_alerts, high=plan.counts["high"]
        )
    else:
        text = _("All clear: no open alerts.")
    if plan.late_note:
        text += f" {escape_clipped(plan.late_note, 2_000)}"
    return [section(text)]


def build_digest_messages(
    plan: DigestPlan, zone: ZoneInfo, nothing_new_line: bool = True
) -> tuple[list[Payload], dict[int, int]]:
    """The digest's parts in order (part 0 in the channel, the rest replies in its
    thread) and which part shows each alert (by product)."""
    if not plan.entries and not plan.resolved_skus:
        if not nothing_new_line and not plan.late_note:
            return [], {}
        blocks = _nothing_new(plan)
        return [{"text": blocks[0]["text"]["text"], "blocks": blocks}], {}

    shown = min(HEAD_ALERTS, len(plan.entries))
    head, resolved_whole = _channel_message(plan, zone, shown)
    while shown and not within_limits(head, HEAD_BUDGET):
        shown -= 1
        head, resolved_whole = _channel_message(plan, zone, shown)
    rest: list[Block | str] = [_thread_entry_block(entry) for entry in plan.entries[shown:]]
    if not resolved_whole:
        rest.append(f"*{_resolved_title(plan)}*")
        rest += [escape(sku) for sku in plan.resolved_skus]
    thread = split(rest, _continued) if rest else []
    fallback = _("{title}: {new} new or worse, {resolved} resolved, {open} open").format(
        title=_(TITLE),
        new=len(plan.entries),
        resolved=len(plan.resolved_skus),
        open=plan.open_alerts,
    )
    payloads: list[Payload] = [{"text": fallback, "blocks": head}]
    for index, blocks in enumerate(thread):
        label = _continued_label(index + 1, len(thread))
        payloads.append({"text": label, "blocks": [context(label), *blocks[1:]]})
    parts_of = {
        int(block["block_id"].split(":")[1]): index
        for index, payload in enumerate(payloads)
        for block in _blocks(payload)
        if str(block.get("block_id", "")).startswith("alert:")
    }
    return payloads, parts_of


def _continued(index: int) -> list[Block]:
    # Sized for the longest label; the real one (never longer) replaces it.
    return [context(_continued_label(9999, 9999))]


def _continued_label(part: int, parts: int) -> str:
    return _("{title}, continued ({part} of {parts})").format(
        title=_(TITLE), part=part, parts=parts
    )


def _blocks(payload: Payload) -> Sequence[Block]:
    blocks = payload.get("blocks")
    return blocks if isinstance(blocks, list) else []


def mark_resolved(
    payload: Block, product_id: int, sku: str, now: datetime, zone: ZoneInfo
) -> Block:
    """The same message with the alert's section saying it resolved (no button)."""
    block_id = alert_block_id(product_id)
    when = now.astimezone(zone).strftime("%d %b %H:%M")
    blocks = [
        section(f"~{escape_clipped(sku, 200)}~  resolved at {when}", block_id=block_id)
        if block.get("block_id") == block_id
        else block
        for block in payload.get("blocks", [])
    ]
    return {**payload, "blocks": blocks}
