"""`stockbot import FILE.csv`: the file streamed into the snapshot in one transaction.

The file is read twice, in constant memory: once for its encoding (and its lines, the
progress bar's total), then row by row in a process of its own (csv_process), each batch
written here as it comes. A bad row anywhere still means nothing imported: the rows
after it are only checked, and the transaction is rolled back with every bad line listed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.progress import progress
from bot.errors import StockbotError
from bot.i18n import _
from bot.intake.csv_dialect import CsvDialect, DialectError, open_csv
from bot.intake.csv_import import REQUIRED, CsvImportError
from bot.intake.csv_process import offer_stream
from bot.intake.seed import WRITE_BATCH, store_batches
from bot.runtime import Runtime
from bot.service import utcnow

# Rows per batch: a product has at most two (MAIN and FBE), so about WRITE_BATCH products.
IMPORT_ROWS = 2 * WRITE_BATCH


def cmd_import(args: argparse.Namespace, runtime: Runtime) -> None:
    path = Path(args.file)
    now = utcnow()
    try:
        with (
            open_csv(path, REQUIRED) as (lines, dialect, count),
            # Forked before the progress bar's thread starts.
            offer_stream(lines, now, dialect, IMPORT_ROWS) as stream,
            progress(_("importing"), max(count - 1, 0), args.quiet) as advance,
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
    except DialectError as exc:
        raise CsvImportError([str(exc)]) from None
    except OSError as exc:
        raise StockbotError(
            _("cannot read {path}: {why}").format(path=path, why=exc.strerror or exc)
        ) from None
    print(
        _("imported {products} products ({main} MAIN offers, {fbe} FBE offers) from {path}").format(
            products=stream.products, main=written["main"], fbe=written["fbe"], path=path
        )
        # Said when the file was not read as plain UTF-8 and ',': how stockbot took it.
        + (
            " " + _("(read as {how})").format(how=dialect.describe())
            if dialect != CsvDialect()
            else ""
        )
    )
