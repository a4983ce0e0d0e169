"""`stockbot`: the command line. One function per subcommand.

Errors are one line on stderr with exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from bot import engine, formats
from bot.cli import reportviews, textviews
from bot.cli.categories import (
    cmd_alerts,
    cmd_bulk,
    cmd_rules,
    cmd_summary,
    register_category_options,
)
from bot.cli.csvimport import cmd_import
from bot.cli.demo import DEMO_DATABASE, cmd_demo, cmd_seed_demo
from bot.cli.emag import register_commands
from bot.cli.plan import register_plan
from bot.database_errors import database_trouble
from bot.errors import StockbotError
from bot.i18n import _, error_text
from bot.intake.seed import DEMO_PRODUCTS
from bot.kpis import kpis
from bot.rules_file import RulesFileError
from bot.runtime import Runtime, build_runtime
from bot.service import utcnow
from bot.settings import ConfigError, Settings, load_settings
from bot.wording import run_status
from storage.db import make_engine, upgrade


class UsageError(Exception):
    """The command line itself is wrong (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(
            _("{message} (see `{prog} --help`)").format(message=message, prog=self.prog)
        )


def _emit(args: argparse.Namespace, model: BaseModel, text: Callable[[Any], str]) -> None:
    if args.json:
        print(model.model_dump_json(indent=2))
    else:
        print(text(model))


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> None:
    upgrade(make_engine(settings.database_url))
    print(_("database schema is up to date"))


def cmd_analyze(args: argparse.Namespace, runtime: Runtime) -> None:
    _emit(args, runtime.service.analyze(args.sku), textviews.render_analysis)


def cmd_transfer(args: argparse.Namespace, runtime: Runtime) -> None:
    check = runtime.service.validate_transfer(
        args.sku, args.from_account, args.to_account, args.amount
    )
    _emit(args, check, textviews.render_transfer)


def cmd_kpis(args: argparse.Namespace, runtime: Runtime) -> None:
    report = kpis(runtime.sessions, utcnow(), args.days)
    _emit(args, report, reportviews.render_kpis)


def cmd_mark_transferred(args: argparse.Namespace, runtime: Runtime) -> None:
    """Record a transfer carried out outside stockbot: its units count as in transit."""
    from bot import interactions  # its Slack and eMAG modules load only for this command

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
    from bot.jobs import worker as jobs  # the digest's Slack modules load only here

    outcome = jobs.post_digest(runtime, force=args.force)
    if outcome.status == "failed":
        raise StockbotError(_("digest failed: {why}").format(why=outcome.detail))
    status = _(run_status(outcome.status))
    print(_("digest {status}: {what}").format(status=status, what=outcome.detail))
    if outcome.permalink:
        print(outcome.permalink)


def cmd_worker(args: argparse.Namespace, runtime: Runtime) -> None:
    # The scheduler, Slack and the web stack load only for the long-running commands:
    # every other command (an import above all) starts without them.
    from bot.cli import processes

    processes.cmd_worker(args, runtime)


def cmd_serve(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.cli import processes

    processes.cmd_serve(args, runtime)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="stockbot", description=_("Keep MAIN and FBE eMAG offers selling."))
    parser.add_argument(
        "--debug", action="store_true", help=_("show the traceback of an unexpected failure")
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="COMMAND"
    )

    def add(name: str, handler: Callable[..., None], help_text: str, json_flag: bool = True):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        if json_flag:
            sub.add_argument("--json", action="store_true", help=_("print the JSON answer"))
        return sub

    db = commands.add_parser("db", help=_("database schema"))
    db_commands = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    db_commands.add_parser("upgrade", help=_("apply migrations")).set_defaults(
        handler=cmd_db_upgrade, needs_runtime=False
    )
    add("seed-demo", cmd_seed_demo, _("load the demo catalogue (EMG331 + generated)"), False)
    commands.choices["seed-demo"].add_argument("--products", type=int, default=DEMO_PRODUCTS)
    add("analyze", cmd_analyze, _("analyze one product by SKU, PNK or EAN")).add_argument("sku")
    add("alerts", cmd_alerts, _("products needing attention, most urgent first")).add_argument(
        "--limit", default="50", help=_("1..500 (default 50)")
    )
    add("summary", cmd_summary, _("dashboard numbers over the whole catalogue"))
    transfer = add("transfer", cmd_transfer, _("validate a transfer between accounts"))
    for name in ("sku", "from_account", "to_account", "amount"):
        transfer.add_argument(name)
    add("bulk", cmd_bulk, _("analyze up to 1000 SKUs")).add_argument("skus", nargs="*")
    add("rules", cmd_rules, _("the thresholds in force per category"))
    register_category_options(commands.choices)
    marked = add(
        "mark-transferred",
        cmd_mark_transferred,
        _("record a transfer done (units in transit)"),
        False,
    )
    for name in ("sku", "from_account", "to_account", "amount"):
        marked.add_argument(name)
    add("kpis", cmd_kpis, _("the KPIs over a period, with their trends")).add_argument(
        "--days", default="30", help=_("1..365 (default 30)")
    )
    add("import", cmd_import, _("import offers per account from a CSV file"), False).add_argument(
        "file"
    )
    add("digest", cmd_digest, _("post the alert digest now (as the scheduled job does)"), False)
    commands.choices["digest"].add_argument(
        "--force", action="store_true", help=_("post another digest even if today's was sent")
    )
    register_commands(add)
    register_plan(add)
    add("worker", cmd_worker, _("run the scheduler: daily digest and eMAG sync"), False)
    serve = add("serve", cmd_serve, _("serve Slack: HTTP on --port, or --socket"), False)
    serve.add_argument(
        "--with-worker",
        action="store_true",
        help=_("run the worker's scheduler in this process too (one process, e.g. on SQLite)"),
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help=_("interface (default 127.0.0.1; behind a proxy or on a platform: 0.0.0.0)"),
    )
    serve.add_argument("--port", type=int, default=3000, help=_("HTTP port (default 3000)"))
    serve.add_argument("--socket", action="store_true", help=_("Socket Mode (SLACK_APP_TOKEN)"))
    serve.add_argument(
        "--workers", type=int, default=1, help=_("HTTP worker processes (default 1)")
    )
    demo = add("demo", cmd_demo, _("seed the demo data and show the EMG331 case"), False)
    demo.add_argument("--products", type=int, default=DEMO_PRODUCTS)
    demo.add_argument(
        "--serve",
        action="store_true",
        help=_("serve the local Slack playground: the real bot on the demo data, in a browser"),
    )
    demo.add_argument(
        "--host", default="127.0.0.1", help=_("interface for --serve (default 127.0.0.1 only)")
    )
    demo.add_argument("--port", type=int, default=3000, help=_("port for --serve (default 3000)"))
    for name in ("seed-demo", "demo"):
        # Into ./stockbot-demo.db unless DATABASE_URL says otherwise.
        commands.choices[name].set_defaults(demo_data=True)
        commands.choices[name].add_argument(
            "--yes", action="store_true", help=_("also into a database holding real data")
        )
    for name in ("seed-demo", "import"):
        commands.choices[name].add_argument(
            "--quiet", action="store_true", help=_("no progress bar on a terminal")
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = None
    try:
        formats.activate_from_environment()
        args = build_parser().parse_args(argv)
        if args.command not in ("serve", "worker"):
            # A one-off command says what happened in its own output; its retries and
            # warnings are for --debug (the long-running ones log as services do).
            logging.basicConfig(
                level=logging.DEBUG if args.debug else logging.ERROR, format="%(name)s %(message)s"
            )
        # The demo has a file of its own: it must never land in a real catalogue.
        demo = getattr(args, "demo_data", False) and "DATABASE_URL" not in os.environ
        settings = load_settings(**({"database_url": DEMO_DATABASE} if demo else {}))
        if getattr(args, "needs_runtime", True):
            args.handler(args, build_runtime(settings))
        else:
            args.handler(args, settings)
    except (UsageError, RulesFileError) as exc:
        # A wrong rules file is the command's input being wrong, like its arguments.
        print(f"stockbot: usage: {exc}", file=sys.stderr)
        return 2
    except (StockbotError, ConfigError) as exc:
        print(f"stockbot: error: {error_text(exc)}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        trouble = database_trouble(exc)
        if trouble is None:
            return _unexpected(args, exc)
        print(f"stockbot: error: {_(trouble[1])}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        print("stockbot: " + _("interrupted"), file=sys.stderr)
        return 130
    except Exception as exc:
        return _unexpected(args, exc)
    return 0


def _unexpected(args: argparse.Namespace | None, exc: Exception) -> int:
    """Not an expected failure: still one line, and the way to see more."""
    if getattr(args, "debug", False):
        raise exc
    said = str(exc).splitlines()[0][:300] if str(exc) else ""
    what = type(exc).__name__ + (": " + said if said else "")
    print(f"stockbot: error: {what} " + _("(run with --debug for the traceback)"), file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
