"""The handler of each subcommand, as bot/cli/parser.py registers it.

Every command's implementation is imported when it runs (inside its handler, or by
`_deferred` for those that only hand over): building the parser loads none of them,
so `stockbot import` or `seed-demo` starts without the KPIs, the reports, eMAG's
client, the plan or the web stack that other commands need.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from bot.errors import StockbotError
from bot.i18n import _

if TYPE_CHECKING:
    from pydantic import BaseModel

    from bot.runtime import Runtime
    from bot.settings import Settings


Command = Callable[[argparse.Namespace, "Runtime"], None]


def _deferred(module: str, name: str) -> Command:
    """The command `name` of `module`, imported when it runs."""

    def run(args: argparse.Namespace, runtime: Runtime) -> None:
        getattr(importlib.import_module(module), name)(args, runtime)

    return run


cmd_seed_demo = _deferred("bot.cli.demo", "cmd_seed_demo")
cmd_demo = _deferred("bot.cli.demo", "cmd_demo")
cmd_import = _deferred("bot.cli.csvimport", "cmd_import")
cmd_alerts = _deferred("bot.cli.categories", "cmd_alerts")
cmd_summary = _deferred("bot.cli.categories", "cmd_summary")
cmd_bulk = _deferred("bot.cli.categories", "cmd_bulk")
cmd_rules = _deferred("bot.cli.categories", "cmd_rules")
cmd_sync = _deferred("bot.cli.emag", "cmd_sync")
cmd_push_stock = _deferred("bot.cli.emag", "cmd_push_stock")
cmd_resend_offers = _deferred("bot.cli.emag", "cmd_resend_offers")
cmd_pnk_check = _deferred("bot.cli.emag", "cmd_pnk_check")
cmd_plan = _deferred("bot.cli.plan", "cmd_plan")
cmd_worker = _deferred("bot.cli.processes", "cmd_worker")
cmd_serve = _deferred("bot.cli.processes", "cmd_serve")


def start_import(args: argparse.Namespace) -> AbstractContextManager[None]:
    """`stockbot import`'s reading, begun before the settings and the database load
    (bot.cli.csvreading)."""
    from bot.cli.csvreading import reading

    return reading(args)


def _emit(args: argparse.Namespace, model: BaseModel, text: Callable[[Any], str]) -> None:
    if args.json:
        print(model.model_dump_json(indent=2))
    else:
        print(text(model))


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> None:
    from storage.db import make_engine, upgrade

    upgrade(make_engine(settings.database_url))
    print(_("database schema is up to date"))


def cmd_analyze(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import textviews

    _emit(args, runtime.service.analyze(args.sku), textviews.render_analysis)


def cmd_transfer(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import textviews

    check = runtime.service.validate_transfer(
        args.sku, args.from_account, args.to_account, args.amount
    )
    _emit(args, check, textviews.render_transfer)


def cmd_kpis(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import reportviews
    from bot.clock import utcnow
    from bot.kpis import kpis

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
