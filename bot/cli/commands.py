"""The handler of each subcommand, as bot/cli/parser.py registers it.

Every import of a command's implementation is inside its handler: building the parser
then loads none of them, so `stockbot import` or `seed-demo` starts without the KPIs,
the reports, eMAG's client, the plan or the web stack that other commands need.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.errors import StockbotError
from bot.i18n import _

if TYPE_CHECKING:
    from pydantic import BaseModel

    from bot.runtime import Runtime
    from bot.settings import Settings


def _emit(args: argparse.Namespace, model: BaseModel, text: Callable[[Any], str]) -> None:
    if args.json:
        print(model.model_dump_json(indent=2))
    else:
        print(text(model))


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> None:
    from storage.db import make_engine, upgrade

    upgrade(make_engine(settings.database_url))
    print(_("database schema is up to date"))


def cmd_seed_demo(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import demo

    demo.cmd_seed_demo(args, runtime)


def cmd_demo(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import demo

    demo.cmd_demo(args, runtime)


def cmd_import(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import csvimport

    csvimport.cmd_import(args, runtime)


def cmd_analyze(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import textviews

    _emit(args, runtime.service.analyze(args.sku), textviews.render_analysis)


def cmd_transfer(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import textviews

    check = runtime.service.validate_transfer(
        args.sku, args.from_account, args.to_account, args.amount
    )
    _emit(args, check, textviews.render_transfer)


def cmd_alerts(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import categories

    categories.cmd_alerts(args, runtime)


def cmd_summary(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import categories

    categories.cmd_summary(args, runtime)


def cmd_bulk(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import categories

    categories.cmd_bulk(args, runtime)


def cmd_rules(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import categories

    categories.cmd_rules(args, runtime)


def cmd_kpis(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import reportviews
    from bot.kpis import kpis
    from bot.service import utcnow

    report = kpis(runtime.sessions, utcnow(), args.days)
    _emit(args, report, reportviews.render_kpis)


def cmd_mark_transferred(args: argparse.Namespace, runtime: Runtime) -> None:
    """Record a transfer carried out outside stockbot: its units count as in transit."""
    import getpass
    import uuid

    from bot import engine, interactions

    service = runtime.service
    proposal = engine.parse_proposal(args.sku, args.from_account, args.to_account, args.amount)
    product = service.snapshot(args.sku)
    proposal = proposal.model_copy(update={"sku": product.sku})
    user = f"cli:{getpass.getuser()}"
    marked = interactions.mark_transferred(service, proposal, user, f"cli:{uuid.uuid4()}")
    record = marked.record
    print(
        _(
            "recorded: {units} of {sku} {source} -> {destination}, in transit until the "
            "snapshot shows it arrived"
        ).format(
            units=record.amount,
            sku=product.sku,
            source=record.from_account.upper(),
            destination=record.to_account.upper(),
        )
    )


def cmd_digest(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.jobs import worker as jobs
    from bot.wording import run_status

    outcome = jobs.post_digest(runtime, force=args.force)
    if outcome.status == "failed":
        raise StockbotError(_("digest failed: {why}").format(why=outcome.detail))
    status = _(run_status(outcome.status))
    print(_("digest {status}: {what}").format(status=status, what=outcome.detail))
    if outcome.permalink:
        print(outcome.permalink)


def cmd_sync(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import emag

    emag.cmd_sync(args, runtime)


def cmd_push_stock(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import emag

    emag.cmd_push_stock(args, runtime)


def cmd_resend_offers(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import emag

    emag.cmd_resend_offers(args, runtime)


def cmd_pnk_check(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import emag

    emag.cmd_pnk_check(args, runtime)


def cmd_plan(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import plan

    plan.cmd_plan(args, runtime)


def cmd_worker(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import processes

    processes.cmd_worker(args, runtime)


def cmd_serve(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import processes

    processes.cmd_serve(args, runtime)
