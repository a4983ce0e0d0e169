"""`stockbot demo` and `stockbot seed-demo`: the demo catalogue, in a file of its own
(./stockbot-demo.db unless DATABASE_URL is given), never over real data without a yes."""

from __future__ import annotations

import argparse
import sys

from bot.cli import textviews
from bot.cli.progress import progress
from bot.clock import utcnow
from bot.errors import StockbotError
from bot.i18n import _
from bot.intake.seed import seed_demo
from bot.runtime import Runtime
from storage.queries import snapshot_sources


def _only_demo_data(args: argparse.Namespace, runtime: Runtime) -> None:
    """Seeding the demo into a database that holds imported or synced data needs a yes."""
    with runtime.sessions() as session:
        real = [source for source in snapshot_sources(session) if source != "demo"]
    if not real or args.yes:
        return
    question = _("{database} holds {sources} data; add the demo products to it?").format(
        database=runtime.settings.database_url, sources=" + ".join(real)
    )
    if not sys.stdin.isatty():
        raise StockbotError(question + " " + _("Not without --yes (the demo has its own file)"))
    if input(f"{question} [y/N] ").strip().lower() not in ("y", "yes", "d", "da"):
        raise StockbotError(_("nothing done"))


def cmd_seed_demo(args: argparse.Namespace, runtime: Runtime) -> None:
    _only_demo_data(args, runtime)
    with progress(_("seeding"), args.products + 1, args.quiet) as advance:
        counts = seed_demo(
            runtime.sessions, utcnow(), runtime.service.rules, args.products, advance
        )
    print(
        _(
            "seeded {products} products ({main} MAIN offers, {fbe} FBE offers), EMG331 included"
        ).format(products=counts["products"], main=counts["main"], fbe=counts["fbe"])
    )


def cmd_demo(args: argparse.Namespace, runtime: Runtime) -> None:
    _only_demo_data(args, runtime)
    service = runtime.service
    seed_demo(runtime.sessions, utcnow(), service.rules, args.products)
    if args.serve:
        from bot.playground.run import serve_playground  # the web stack loads only here

        print(
            _("Demo data in {database}").format(database=runtime.settings.database_url), flush=True
        )
        serve_playground(runtime, args.host, args.port)
        return
    print(_("Demo data in {database}").format(database=runtime.settings.database_url) + "\n")
    print("== stockbot analyze EMG331")
    print(textviews.render_analysis(service.analyze("EMG331")))
    print("\n== stockbot alerts --limit 10")
    print(textviews.render_alerts(service.alerts(10)))
    print("\n== stockbot transfer EMG331 fbe main 10")
    print(textviews.render_transfer(service.validate_transfer("EMG331", "fbe", "main", 10)))
