"""`stockbot sync`, `push-stock`, `resend-offers` and `pnk-check`: the eMAG subcommands.

Their arguments are in bot/cli/parser.py. Every failure is a StockbotError naming the
account (the CLI prints it on stderr and exits 1); credentials never appear in a message.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.cli.account_bars import account_bars, batches, pages
from bot.clock import utcnow
from bot.errors import StockbotError
from bot.formats import number
from bot.i18n import _, counted
from bot.runtime import Runtime
from bot.settings import ConfigError

if TYPE_CHECKING:
    from bot.emag.client import EmagClient, EmagClients
    from bot.emag.sync import SyncReport
    from bot.emag.writeback import ResendReport


def _clients(runtime: Runtime) -> EmagClients:
    # The eMAG client (httpx) and the sync load only for these commands, not for every
    # other command the CLI starts with.
    from bot.emag.client import clients_from_settings

    try:
        return clients_from_settings(runtime.settings)
    except (ConfigError, ValueError) as exc:
        raise StockbotError(str(exc)) from None


def _close(clients: EmagClients) -> None:
    for client in clients:
        client.close()


def render_sync(report: SyncReport) -> str:
    lines = []
    for result in report.accounts:
        label = result.account.upper()
        if result.status == "ok":
            line = _(
                "{account}: {offers} offers read in {pages} pages ({seconds} s), {removed} removed"
            ).format(
                account=label,
                offers=result.offers,
                pages=result.pages,
                seconds=number(result.seconds),
                removed=result.removed,
            )
            if result.skipped:
                line += ", " + _("{n} skipped (no SKU or id)").format(n=result.skipped)
            for conflict in result.sku_conflicts:
                line += "\n  " + _("one SKU, two offers (the second left out): {what}").format(
                    what=conflict
                )
            if result.velocity_error:
                line += "; " + _("sales velocity not updated (orders unreadable)")
        else:
            line = _("{account}: FAILED, previous snapshot kept (stale): {why}").format(
                account=label, why=result.error
            )
        lines.append(line)
    for issue in report.pnk_issues:
        lines.append(_("PNK issue: {what}").format(what=issue.describe()))
    return "\n".join(lines)


def cmd_sync(args: argparse.Namespace, runtime: Runtime) -> None:
    """Read both accounts into the snapshot; exit 1 if an account failed."""
    from bot.emag.sync import sync_accounts

    clients = _clients(runtime)
    try:
        with account_bars([c.account for c in clients], pages, args.quiet) as bars:
            report = sync_accounts(runtime, clients, utcnow(), progress=bars)
    finally:
        _close(clients)
    print(report.model_dump_json(indent=2) if args.json else render_sync(report))
    if not report.ok:
        raise StockbotError(
            "; ".join(result.error or result.account.upper() for result in report.failed)
        )


def _confirm(args: argparse.Namespace, question: str) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise StockbotError(
            question + " - " + _("not confirmed; add --yes to run without a prompt")
        )
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in ("y", "yes", "d", "da"):
        raise StockbotError(_("cancelled; nothing was sent to eMAG"))


def cmd_push_stock(args: argparse.Namespace, runtime: Runtime) -> None:
    """Set MAIN stock of one SKU on eMAG (FBE stock belongs to eMAG)."""
    from bot.emag.writeback import push_main_stock

    if args.account != "main":
        raise StockbotError(_("FBE: eMAG manages the stock of FBE offers; only MAIN can be set"))
    try:
        amount = int(args.stock)
    except ValueError:
        message = _("stock must be a whole number, got {value}").format(value=repr(args.stock))
        raise StockbotError(message) from None
    _confirm(
        args, _("Set MAIN stock of {sku} to {stock} on eMAG?").format(sku=args.sku, stock=amount)
    )
    clients = _clients(runtime)
    try:
        result = push_main_stock(runtime, clients.main, args.sku, amount, utcnow())
    finally:
        _close(clients)
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print(
            _("MAIN stock of {sku} set to {stock} on eMAG (offer {offer}, was {before})").format(
                sku=result.sku,
                stock=result.stock,
                offer=result.offer_id,
                before=result.previous_stock,
            )
        )


def render_resend(report: ResendReport) -> str:
    lines = []
    for account in report.accounts:
        label = account.account.upper()
        line = _("{account}: {sent} sent, {refused} refused").format(
            account=label, sent=account.sent, refused=len(account.refused)
        )
        line += f" ({batches(account.batches)})"
        if account.skipped:
            line += ", " + _("{n} skipped (not read recently: run `stockbot sync`)").format(
                n=account.skipped
            )
        lines.append(line)
        lines.extend(
            "  "
            + _("refused, last sent unchanged: {sku} (offer {offer}): {why}").format(
                sku=refused.sku, offer=refused.offer_id, why=refused.error
            )
            for refused in account.refused
        )
        if account.stopped:
            lines.append(_("{account}: stopped: {why}").format(account=label, why=account.stopped))
    return "\n".join(lines)


def cmd_resend_offers(args: argparse.Namespace, runtime: Runtime) -> None:
    """Re-send offers (by default only those not sent for the weekly period)."""
    from bot.emag.writeback import resend_offers

    stale_only = not args.all
    question = (
        _("Re-send offers not sent recently on {account} to eMAG?")
        if stale_only
        else _("Re-send ALL offers on {account} to eMAG?")
    )
    _confirm(args, question.format(account=args.account.upper()))
    clients = _clients(runtime)
    chosen: dict[str, EmagClient] = {
        client.account: client for client in clients if args.account in ("both", client.account)
    }
    try:
        with account_bars(chosen, batches, args.quiet) as bars:
            report = resend_offers(runtime, chosen, utcnow(), stale_only=stale_only, progress=bars)
    finally:
        _close(clients)
    print(report.model_dump_json(indent=2) if args.json else render_resend(report))
    if not report.ok:
        problems = [
            f"{account.account.upper()}: {account.stopped}"
            if account.stopped
            else counted(
                len(account.refused),
                "{account}: {n} offer refused",
                "{account}: {n} offers refused",
                account=account.account.upper(),
            )
            for account in report.accounts
            if account.stopped or account.refused
        ]
        raise StockbotError(
            _("re-send incomplete: {problems}").format(problems="; ".join(problems))
        )


def cmd_pnk_check(args: argparse.Namespace, runtime: Runtime) -> None:
    """List SKUs whose PNK differs between MAIN and FBE (and, with --eans, by EAN)."""
    from bot.emag.pnk import pnk_issues

    if args.eans:
        clients = _clients(runtime)
        try:
            issues = pnk_issues(runtime, clients.main)
        finally:
            _close(clients)
    else:
        issues = pnk_issues(runtime)
    if args.json:
        print("[" + ",".join(issue.model_dump_json() for issue in issues) + "]")
    elif issues:
        print("\n".join(issue.describe() for issue in issues))
    else:
        print(_("no PNK issues"))
