"""`stockbot import`'s reading, begun before the settings and the database load.

main() enters `reading(args)` right after parsing the command line: the file is opened
(its encoding, separator and lines found) and the reader's process forked
(bot.intake.csv_process) while this process has loaded only the command line's
modules. The child then reads and checks rows while this process loads SQLAlchemy,
the settings and the schema; bot.cli.csvimport writes the batches it sends. Nothing
here imports the database's libraries: what is loaded before the fork is loaded in the
child too.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.clock import utcnow
from bot.errors import StockbotError
from bot.i18n import _
from bot.intake.csv_dialect import CsvDialect, DialectError, open_csv
from bot.intake.csv_import import REQUIRED, CsvImportError
from bot.intake.csv_process import InProcess, ReadAside, offer_stream
from storage.plain_rows import WRITE_BATCH

# Rows per batch: a product has at most two (MAIN and FBE), so about WRITE_BATCH products.
IMPORT_ROWS = 2 * WRITE_BATCH


@dataclass
class Reading:
    """The file being read: its batches, its dialect, its number of lines, and the
    moment the import is dated."""

    stream: ReadAside | InProcess
    dialect: CsvDialect
    lines: int
    now: datetime


@contextmanager
def reading(args: argparse.Namespace) -> Iterator[None]:
    """`args.file` opened and its reading begun, as `args.reading`, until the command
    is done; a file that cannot be opened or read as CSV is the command's error."""
    path = Path(args.file)
    with ExitStack() as stack:
        with read_errors(path):
            lines, dialect, count = stack.enter_context(open_csv(path, REQUIRED))
        now = utcnow()
        # Forked before the progress bar's thread (or any other) starts.
        stream = stack.enter_context(offer_stream(lines, now, dialect, IMPORT_ROWS))
        args.reading = Reading(stream, dialect, count, now)
        yield


@contextmanager
def read_errors(path: Path) -> Iterator[None]:
    """The file's refusal (its encoding, separator or header) or a failure to read it,
    as the command's one-line error."""
    try:
        yield
    except DialectError as exc:
        raise CsvImportError([str(exc)]) from None
    except OSError as exc:
        raise StockbotError(
            _("cannot read {path}: {why}").format(path=path, why=exc.strerror or exc)
        ) from None
