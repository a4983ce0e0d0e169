"""`stockbot rules`, and the category views of `alerts`, `summary` and `bulk`.

Their arguments, `--category` and `--by-category` with them, are in bot/cli/parser.py.
"""

from __future__ import annotations

import argparse
import json

from bot.category_views import category_skus, summary_by_category
from bot.cli import reportviews, textviews
from bot.cli.tables import wrapped
from bot.errors import InvalidInput
from bot.i18n import _
from bot.rules_file import EVERY_OTHER, describe
from bot.runtime import Runtime


def cmd_rules(args: argparse.Namespace, runtime: Runtime) -> None:
    """The thresholds in force per category (STOCKBOT_RULES), the global ones first."""
    rows = describe(runtime.service.rules)
    if args.json:
        print(json.dumps({name: values for name, values in rows}, indent=2))
        return
    for name, values in rows:
        shown = ", ".join(f"{key} {value}" for key, value in values.items())
        print("\n".join(wrapped(f"{_(name) if name == EVERY_OTHER else name}: {shown}")))


def cmd_alerts(args: argparse.Namespace, runtime: Runtime) -> None:
    report = runtime.service.alerts(args.limit, args.category)
    print(report.model_dump_json(indent=2) if args.json else textviews.render_alerts(report))


def cmd_summary(args: argparse.Namespace, runtime: Runtime) -> None:
    if not args.by_category:
        summary = runtime.service.summary()
        print(summary.model_dump_json(indent=2) if args.json else textviews.render_summary(summary))
        return
    found = summary_by_category(runtime.service)
    if args.json:
        print(json.dumps([item.model_dump(mode="json") for item in found], indent=2))
    else:
        print(reportviews.render_categories(found))


def cmd_bulk(args: argparse.Namespace, runtime: Runtime) -> None:
    """Up to 1000 SKUs given, or every SKU of a category, 1000 a page."""
    if bool(args.skus) == bool(args.category):
        raise InvalidInput("skus", _("give SKUs or --category NAME, not both or neither"))
    if args.skus:
        pages = [list(args.skus)]
    else:
        pages, after = [], ""
        while page := category_skus(runtime.service, args.category, after):
            pages.append(page)
            after = page[-1]
    reports = [runtime.service.bulk(page) for page in pages]
    if args.json:
        print(
            json.dumps([r.model_dump(mode="json") for r in reports], indent=2)
            if args.category
            else reports[0].model_dump_json(indent=2)
        )
        return
    print("\n".join(reportviews.render_bulk(report) for report in reports))
