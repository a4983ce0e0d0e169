"""The `stockbot` arguments: every subcommand, its options and its help.

Building the parser loads no command's implementation (bot/cli/commands.py imports each
one when it runs), so parsing stays cheap for the commands that need little.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

from bot.cli.commands import (
    cmd_alerts,
    cmd_analyze,
    cmd_bulk,
    cmd_db_upgrade,
    cmd_demo,
    cmd_digest,
    cmd_import,
    cmd_kpis,
    cmd_mark_transferred,
    cmd_plan,
    cmd_pnk_check,
    cmd_push_stock,
    cmd_resend_offers,
    cmd_rules,
    cmd_seed_demo,
    cmd_serve,
    cmd_summary,
    cmd_sync,
    cmd_transfer,
    cmd_worker,
    start_import,
)
from bot.i18n import _
from bot.intake import DEMO_PRODUCTS

AddCommand = Callable[..., argparse.ArgumentParser]


class UsageError(Exception):
    """The command line itself is wrong (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(
            _("{message} (see `{prog} --help`)").format(message=message, prog=self.prog)
        )


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
    _category_options(commands.choices)
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
    importing = add("import", cmd_import, _("import offers per account from a CSV file"), False)
    importing.add_argument("file")
    importing.set_defaults(before_runtime=start_import)
    add("digest", cmd_digest, _("post the alert digest now (as the scheduled job does)"), False)
    commands.choices["digest"].add_argument(
        "--force", action="store_true", help=_("post another digest even if today's was sent")
    )
    _emag_commands(add)
    _plan_command(add)
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


def _category_options(commands: dict[str, argparse.ArgumentParser]) -> None:
    """`--category` on alerts and bulk, `--by-category` on summary."""
    commands["alerts"].add_argument("--category", help=_("only this category's products"))
    commands["summary"].add_argument(
        "--by-category", action="store_true", help=_("the numbers per category")
    )
    commands["bulk"].add_argument("--category", help=_("every SKU of this category, paged"))


def _emag_commands(add: AddCommand) -> None:
    """`sync`, `push-stock`, `resend-offers` and `pnk-check` (bot/cli/emag.py)."""
    sync = add("sync", cmd_sync, _("read both eMAG accounts into the snapshot"), True)

    push = add("push-stock", cmd_push_stock, _("set MAIN stock of a SKU on eMAG"), True)
    push.add_argument("sku")
    push.add_argument("stock", help="0..65535")
    push.add_argument(
        "--account", default="main", choices=("main", "fbe"), help=_("only main is allowed")
    )
    push.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))

    resend = add(
        "resend-offers", cmd_resend_offers, _("re-send offers to eMAG (the weekly update)"), True
    )
    scope = resend.add_mutually_exclusive_group()
    scope.add_argument(
        "--stale",
        action="store_true",
        help=_("only offers not sent for STOCKBOT_WEEKLY_UPDATE_DAYS (the default)"),
    )
    scope.add_argument("--all", action="store_true", help=_("every offer"))
    resend.add_argument("--account", default="both", choices=("main", "fbe", "both"))
    resend.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    for command in (sync, resend):
        command.add_argument(
            "--quiet", action="store_true", help=_("no progress bar on a terminal")
        )

    check = add("pnk-check", cmd_pnk_check, _("SKUs whose PNK differs between accounts"), True)
    check.add_argument(
        "--eans", action="store_true", help=_("also look EANs up on eMAG (uses the daily quota)")
    )


def _plan_command(add: AddCommand) -> None:
    sub = add("plan", cmd_plan, _("the weekly plan: inbound to FBE, withdrawal, purchase"))
    sub.add_argument("--csv", metavar="FILE", help=_("also write the plan as a CSV file"))
    sub.add_argument("--quiet", action="store_true", help=_("no progress bar on a terminal"))
    sub.add_argument(
        "--mark-shipped",
        metavar="LIST",
        help=_("record every line of a list (inbound or withdrawal) as in transit"),
    )
