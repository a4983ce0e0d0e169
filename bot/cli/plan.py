"""`stockbot plan`: the weekly plan on the terminal, as JSON or a CSV file, and marking a
transfer list shipped (its lines recorded as in transit, in one transaction).

Its arguments are in bot/cli/parser.py.
"""

from __future__ import annotations

import argparse
import getpass
import uuid
from pathlib import Path

from bot import plan_service
from bot.cli.progress import progress
from bot.cli.tables import table, when_text
from bot.engine.plan import Plan, PlanLine, PlanList
from bot.errors import StockbotError
from bot.i18n import _, counted
from bot.plan_csv import write_plan_csv
from bot.plan_words import cover_change, list_title, totals_text, units_text
from bot.runtime import Runtime
from bot.wording import money_per_day

# Lines shown per list on the terminal; the CSV has them all.
SHOWN = 30
WIDTH = 80


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: max(most - 1, 0)] + "…"


def _rows(lines: list[PlanLine]) -> tuple[list[str], list[list[str]]]:
    headers = ["sku", _("units"), _("cover"), _("RON/day"), _("name")]
    rows = [
        [
            _clip(line.sku, 16),
            units_text(line),
            cover_change(line),
            money_per_day(line.lost_sales_per_day_prevented),
            line.name or "",
        ]
        for line in lines
    ]
    # The name takes what the other columns leave of 80 (each column costs " | ").
    used = sum(max(len(r[i]) for r in [headers, *rows]) + 3 for i in range(4))
    for row in rows:
        row[4] = _clip(row[4], max(WIDTH - used, 8))
    return headers, rows


def _list_text(plan_list: PlanList) -> list[str]:
    out = [f"{list_title(plan_list.name)}: {totals_text(plan_list)}"]
    if not plan_list.lines:
        return [*out, "  " + _("nothing to do"), ""]
    headers, rows = _rows(plan_list.lines[:SHOWN])
    out.append(table(headers, rows))
    hidden = plan_list.line_count - SHOWN
    if hidden > 0:
        out.append(
            counted(hidden, "and {n} more line (--csv FILE)", "and {n} more lines (--csv FILE)")
        )
    return [*out, ""]


def render_plan(plan: Plan) -> str:
    """The three lists with their totals and their top lines, within 80 columns."""
    head = _("Stock plan at {when}, {examined}").format(
        when=when_text(plan.generated_at),
        examined=counted(plan.products_examined, "{n} product examined", "{n} products examined"),
    )
    lines = [head, ""]
    for plan_list in plan.lists():
        lines += _list_text(plan_list)
    return "\n".join(lines).rstrip()


def _write_csv(path: Path, plan: Plan, runtime: Runtime, quiet: bool) -> None:
    """Every line of the plan into `path` as it is read (never all of them held)."""
    lines = sum(plan_list.line_count for plan_list in plan.lists())
    try:
        with (
            path.open("w", encoding="utf-8", newline="") as out,
            progress(_("planning"), lines, quiet) as advance,
        ):
            write_plan_csv(plan_service.plan_lines(runtime.service, plan.min_units, advance), out)
    except OSError as exc:
        raise StockbotError(
            _("cannot write {path}: {why}").format(path=path, why=exc.strerror or exc)
        ) from None


def cmd_plan(args: argparse.Namespace, runtime: Runtime) -> None:
    service, minimum = runtime.service, runtime.settings.plan_min_units
    if args.mark_shipped:
        name = plan_service.parse_list(args.mark_shipped)
        user = f"cli:{getpass.getuser()}"
        shipped = plan_service.mark_shipped(service, name, minimum, user, f"cli:{uuid.uuid4()}")
        print(
            _("{title}: {lines} marked shipped ({units}), in transit from now").format(
                title=list_title(name),
                lines=counted(shipped.lines, "{n} line", "{n} lines"),
                units=counted(shipped.units, "{n} unit", "{n} units"),
            )
        )
        return
    # JSON has every line; the text only the first of each list.
    shown = None if args.json else SHOWN
    with progress(_("planning"), plan_service.plan_size(service), args.quiet) as advance:
        plan = plan_service.build(service, minimum, shown, advance)
    if args.csv:
        _write_csv(Path(args.csv), plan, runtime, args.quiet)
    if args.json:
        print(plan.model_dump_json(indent=2))
    elif args.csv:
        print(_("plan written to {path}").format(path=args.csv))
    else:
        print(render_plan(plan))
