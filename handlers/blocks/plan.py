"""Block Kit for the weekly plan (`/stock plan` and the worker's Monday post): each list's
totals and its top lines, a *Mark shipped* button under each transfer list, and a word
that the CSV file has every line. Within the message limits by construction, and cut by
the size guard's "and N more" should the data be unusual."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.engine.plan import ListName, Plan, PlanLine
from bot.i18n import _, counted
from bot.plan_service import SHIPPABLE
from bot.plan_words import cover_change, list_title, totals_text, units_text
from bot.wording import money_per_day
from handlers.blocks.kit import (
    Block,
    actions,
    button,
    confirm_dialog,
    context,
    escape,
    escape_clipped,
    header,
    local_time,
    section,
)
from handlers.blocks.size import fit
from handlers.ids import MARK_SHIPPED

# Lines shown per list in Slack; the attached CSV has them all.
TOP_LINES = 5
NAME_CHARS = 60
SHIP_BLOCK = "plan_ship:"


def ship_block_id(name: ListName) -> str:
    return SHIP_BLOCK + name


def plan_line(line: PlanLine) -> str:
    """One line: SKU, units, the destination's cover before -> after, RON/day, name."""
    name = f" {escape_clipped(line.name, NAME_CHARS)}" if line.name else ""
    where = f" {line.to_account.upper()}" if line.type == "restock" else ""
    worth = money_per_day(line.lost_sales_per_day_prevented)
    return (
        f"`{escape_clipped(line.sku, 40)}`{name}: *{units_text(line)}*{where} - "
        f"{cover_change(line)} - {worth}"
    )


def _ship_button(name: ListName) -> Block:
    title = list_title(name)
    return actions(
        [
            button(
                _("Mark shipped"),
                MARK_SHIPPED,
                {"list": name},
                confirm=confirm_dialog(
                    _("Mark shipped"),
                    _("Record every line of {title} as in transit now?").format(
                        title=escape(title)
                    ),
                    _("Mark shipped"),
                ),
            )
        ],
        ship_block_id(name),
    )


def build_plan_blocks(plan: Plan, zone: ZoneInfo, with_file: bool = True) -> list[Block]:
    """The plan as one message: the totals and top lines of each list."""
    blocks: list[Block] = [
        header(_("Stock plan")),
        context(
            _("At {when}; {examined}").format(
                when=local_time(plan.generated_at, zone),
                examined=counted(
                    plan.products_examined, "{n} product examined", "{n} products examined"
                ),
            )
        ),
    ]
    for plan_list in plan.lists():
        top = "\n".join(plan_line(line) for line in plan_list.lines[:TOP_LINES])
        more = plan_list.line_count - min(TOP_LINES, len(plan_list.lines))
        text = f"*{escape(list_title(plan_list.name))}*: {totals_text(plan_list)}"
        if top:
            text += "\n" + top
        if more > 0:
            text += "\n" + _("and {n} more").format(n=more)
        blocks.append(section(text, block_id=f"plan_list:{plan_list.name}"))
        if plan_list.name in SHIPPABLE and plan_list.lines:
            blocks.append(_ship_button(plan_list.name))
    if with_file:
        blocks.append(context(_("The attached CSV file has every line.")))
    return fit([], blocks)


def plan_fallback(plan: Plan) -> str:
    """The notification text: each list's units."""
    return _("Stock plan: inbound {inbound}, withdrawal {withdrawal}, purchase {purchase}").format(
        inbound=counted(plan.inbound.units, "{n} unit", "{n} units"),
        withdrawal=counted(plan.withdrawal.units, "{n} unit", "{n} units"),
        purchase=counted(plan.purchase.units, "{n} unit", "{n} units"),
    )


def shipped_line(lines: int, units: int, who: str, when: datetime, zone: ZoneInfo) -> str:
    """What replaces a Mark-shipped button once clicked."""
    return _("Marked shipped by {who} at {time}: {lines}, {units} in transit").format(
        who=f"<@{escape(who)}>",
        time=local_time(when, zone, "HH:mm"),
        lines=counted(lines, "{n} line", "{n} lines"),
        units=counted(units, "{n} unit", "{n} units"),
    )
