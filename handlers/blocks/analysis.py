"""Block Kit for one product's analysis: stock per account, competition, ranks, prices,
data age, and each recommendation by priority with its buttons."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.engine.models import ACCOUNTS, Analysis, ProductSnapshot, Recommendation
from bot.engine.phrases import N_
from bot.formats import money
from bot.i18n import _, engine_text
from bot.watch_wording import competition_lines, has_competition_news
from bot.wording import (
    WATCH_TYPES,
    cover_text,
    issue_label,
    money_per_day,
    priority_label,
    recommendation_line,
    sales_text,
    transit_text,
    when,
)
from handlers.blocks.kit import (
    Block,
    actions,
    button,
    context,
    data_age_line,
    divider,
    escape,
    header,
    proposal_value,
    section,
)
from handlers.blocks.size import fit
from handlers.ids import CHANGE_AMOUNT, SNOOZE, SNOOZE_DAYS, VALIDATE_TRANSFER

_ACCOUNT_TITLES = {"main": N_("MAIN (seller-fulfilled)"), "fbe": N_("FBE (fulfilled by eMAG)")}


def _price(value: Decimal | None) -> str:
    return "-" if value is None else money(value)


def _account_field(
    analysis: Analysis, product: ProductSnapshot | None, account: str, zone: ZoneInfo
) -> str:
    title = f"*{_(_ACCOUNT_TITLES[account])}*"
    if account not in analysis.listed_on:
        return f"{title}\n" + _("not listed")
    situation = analysis.current_situation
    offers = getattr(situation, f"offers_{account}")
    competitors = getattr(situation, f"competitors_{account}")
    rank = getattr(situation, f"rank_{account}")
    per_day = getattr(situation, f"sales_per_day_{account}")
    cover = getattr(situation, f"days_of_cover_{account}")
    offer = product.offer(account) if product else None  # type: ignore[arg-type]
    lines = [
        title,
        _("Stock *{units}*").format(units=getattr(situation, f"stock_{account}")),
        _("Offers on the PNK: {offers}").format(offers="-" if offers is None else offers)
        + (" " + _("({count} competing)").format(count=competitors) if competitors else ""),
        _("Buy-button rank: {rank}").format(rank="-" if rank is None else rank),
        _("Sales: {sales}, cover {cover}").format(
            sales=sales_text(per_day), cover=cover_text(cover, per_day)
        ),
        _("Lost now: {amount}").format(
            amount=money_per_day(getattr(situation, f"lost_sales_per_day_{account}"))
        ),
    ]
    moving = transit_text(
        getattr(situation, f"in_transit_{account}"),
        account,
        getattr(situation, f"in_transit_since_{account}"),
        zone,
    )
    if moving:
        lines.append(moving.capitalize())
    if getattr(situation, f"sellable_{account}") is False:
        lines.append(_("*Cannot sell on eMAG*: fix the offer first"))
    if offer is not None:
        lines.append(_("Price: {price}").format(price=_price(offer.sale_price)))
    return "\n".join(lines)


def recommendation_text(rec: Recommendation) -> str:
    text = f"*{escape(recommendation_line(rec))}*"
    if rec.impact and rec.type not in WATCH_TYPES:  # the line carries a watch's impact
        text += f"\n{escape(engine_text(rec.impact))}"
    if rec.suggested_action:
        text += f"\n{escape(engine_text(rec.suggested_action))}"
    return text


def transfer_buttons(sku: str, rec: Recommendation, block_id: str) -> Block:
    value = proposal_value(sku, rec)
    return actions(
        [
            button(_("Validate transfer"), VALIDATE_TRANSFER, value, style="primary"),
            button(_("Change amount"), CHANGE_AMOUNT, value),
        ],
        block_id,
    )


def build_analysis_blocks(
    analysis: Analysis,
    now: datetime,
    zone: ZoneInfo,
    stale_hours: int,
    product: ProductSnapshot | None = None,
) -> list[Block]:
    """The analysis message; `product` adds the prices the analysis does not carry."""
    title = analysis.sku + (f" - {analysis.name}" if analysis.name else "")
    ids = f"PNK `{escape(analysis.pnk or '-')}`  EAN `{escape(analysis.ean or '-')}`"
    verdict = (
        "*"
        + _("Priority: {priority}").format(priority=priority_label(analysis.priority).upper())
        + "*  -  "
        + (_("action required") if analysis.action_required else _("nothing to do"))
    )
    blocks: list[Block] = [
        header(_("Stock analysis: {title}").format(title=title)),
        section(f"*{escape(analysis.sku)}*  {ids}\n{verdict}"),
        section(fields=[_account_field(analysis, product, account, zone) for account in ACCOUNTS]),
        context(
            data_age_line(analysis.data_as_of, analysis.stale, now, zone, stale_hours),
            block_id="data_age",
        ),
    ]
    if has_competition_news(analysis):
        lines = "\n".join(escape(line) for line in competition_lines(analysis, zone))
        blocks.append(section("*" + _("Competition") + "*\n" + lines))
    blocks.append(divider())
    recs: list[Block] = []
    for index, rec in enumerate(analysis.recommendations):
        recs.append(section(recommendation_text(rec)))
        if rec.is_transfer and rec.suggested_amount:
            recs.append(transfer_buttons(analysis.sku, rec, f"rec:{index}"))
    if not recs:
        recs.append(section(_("No recommendations: both accounts are fine.")))
    tail: list[Block] = []
    if analysis.issues or analysis.notes or analysis.snoozed_until:
        lines = [_("Issue: {issue}").format(issue=issue_label(issue)) for issue in analysis.issues]
        if analysis.snoozed_until:
            lines.append(
                _("Snoozed until {day}").format(day=when(analysis.snoozed_until, zone))
                + (
                    " " + _("by {who}").format(who=f"<@{escape(analysis.snoozed_by)}>")
                    if analysis.snoozed_by
                    else ""
                )
            )
        lines += [_("Note: {note}").format(note=escape(engine_text(n))) for n in analysis.notes]
        tail.append(context("\n".join(lines)))
    if analysis.action_required:
        tail.append(
            actions(
                [
                    button(
                        _("Snooze {days} days").format(days=SNOOZE_DAYS),
                        SNOOZE,
                        {"sku": analysis.sku},
                    )
                ],
                "sku_actions",
            )
        )
    return fit([*blocks, section("*" + _("Recommendations") + "*")], recs, tail)


def analysis_fallback(analysis: Analysis) -> str:
    """The notification text shown where blocks are not."""
    top = analysis.recommendations[0] if analysis.recommendations else None
    priority = priority_label(analysis.priority)
    return _("{sku}: priority {priority}").format(sku=escape(analysis.sku), priority=priority) + (
        f" - {escape(recommendation_line(top))}" if top else ""
    )
