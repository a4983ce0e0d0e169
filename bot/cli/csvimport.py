"""`stockbot import FILE.csv`: the file streamed into the snapshot in one transaction.

The file is read twice, in constant memory: once for its encoding (and its lines, the
progress bar's total), then row by row in a process of its own, begun before this
command's database loaded (bot.cli.csvreading); each batch is written here as it comes.
A bad row anywhere still means nothing imported: the rows after it are only checked,
and the transaction is rolled back with every bad line listed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.csvreading import Reading, read_errors
from bot.cli.progress import progress
from bot.i18n import _
from bot.intake.csv_dialect import CsvDialect
from bot.intake.seed import store_batches
from bot.runtime import Runtime


def cmd_import(args: argparse.Namespace, runtime: Runtime) -> None:
    path, started = Path(args.file), args.reading
    assert isinstance(started, Reading)
    stream, now = started.stream, started.now
    with (
        read_errors(path),
        progress(_("importing"), max(started.lines - 1, 0), args.quiet) as advance,
    ):
        stream.on_rows(advance)
        written = store_batches(
            runtime.sessions,
            stream.batches(),
            "csv",
            now,
            runtime.service.rules,
            before_commit=stream.check,
        )
    print(
        _("imported {products} products ({main} MAIN offers, {fbe} FBE offers) from {path}").format(
            products=stream.products, main=written["main"], fbe=written["fbe"], path=path
        )
        # Said when the file was not read as plain UTF-8 and ',': how stockbot took it.
        + (
            " " + _("(read as {how})").format(how=started.dialect.describe())
            if started.dialect != CsvDialect()
            else ""
        )
    )
