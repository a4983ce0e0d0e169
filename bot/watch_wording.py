"""The words of an analysis' *Competition* section, shared by the CLI and Slack: per
account the sellers now and a week ago, our rank history and the price gap, in the
active language (money and dates through bot/formats.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.engine.models import Analysis, CompetitionView
from bot.formats import day, money, number
from bot.i18n import _

UTC_ZONE = ZoneInfo("UTC")


def _count(value: int | None) -> str:
    return _("unknown") if value is None else str(value)


def rank_text(rank: int | None) -> str:
    """e.g. "#2"; "not competing" when eMAG gives no rank."""
    return _("not competing") if rank is None else f"#{rank}"


def gap_text(view: CompetitionView) -> str:
    """e.g. "our price RON 100.00, best offer RON 95.00: RON 5.00 (5.0%) above"; says
    when a price is unknown instead of making a gap up."""
    if view.best_price is None:
        return _("best price unknown")
    if view.our_price is None or view.price_gap is None or view.price_gap_pct is None:
        return _("our price unknown")
    if view.price_gap == 0:
        return _("our price {price} is the best offer").format(price=money(view.our_price))
    side = _("above") if view.price_gap > 0 else _("below")
    return _("our price {price}, best offer {best}: {gap} ({pct}%) {side}").format(
        price=money(view.our_price),
        best=money(view.best_price),
        gap=money(abs(view.price_gap)),
        pct=number(abs(view.price_gap_pct)),
        side=side,
    )


def ranks_text(view: CompetitionView, zone: ZoneInfo = UTC_ZONE) -> str:
    """The rank now, or its changes over the kept history with the day of each."""
    if not view.rank_history:
        return rank_text(view.rank_now)
    return " -> ".join(
        f"{rank_text(point.rank)} ({day(point.at, zone)})" for point in view.rank_history
    )


def has_competition_news(analysis: Analysis) -> bool:
    """Whether the section says more than the stock table: a history, or a best price."""
    return any(
        view.rank_history or view.best_price is not None for view in analysis.competition.values()
    )


def competition_lines(analysis: Analysis, zone: ZoneInfo = UTC_ZONE) -> list[str]:
    """One line per listed account, e.g. "MAIN: 1 competing now, 3 a week ago; rank
    #1 (Mon 30 Nov) -> #2 (Tue 1 Dec); our price ..."."""
    lines = []
    for account, view in analysis.competition.items():
        line = _("{account}: {now} competing now, {before} a week ago; rank {ranks}; {gap}").format(
            account=account.upper(),
            now=_count(view.competitors_now),
            before=_count(view.competitors_week_ago),
            ranks=ranks_text(view, zone),
            gap=gap_text(view),
        )
        if view.buy_button_lost_at is not None:
            line += "; " + _("buy button lost {day}").format(day=day(view.buy_button_lost_at, zone))
        lines.append(line)
    return lines
