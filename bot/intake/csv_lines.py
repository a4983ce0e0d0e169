"""The lines of a CSV import as rows: the header, then each data row with its line
number, rows refused for their shape (a quote left open, too many values) set aside with
their problem."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from bot.i18n import _
from bot.intake.csv_dialect import CsvDialect
from bot.intake.csv_errors import CsvImportError, line_problem

REQUIRED = ("sku", "account", "stock", "number_of_offers")
DECIMALS = ("sale_price",)


def rows_of(
    lines: Iterable[str], dialect: CsvDialect, problems: list[tuple[int, str]]
) -> Iterator[Any]:
    """The header (names trimmed, lower case), then (line, values) of each data row, read
    strictly: a quote left open swallows the lines after it into one field (or runs to
    the end of the file), which is a bad row, not a long name. Rows refused for their
    shape go to `problems` as (line, problem). Lines are counted as csv.DictReader counts
    them (a blank line is skipped, but counted for the row after it)."""
    reader = csv.reader(lines, strict=True, delimiter=dialect.separator)
    last = 1
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            names = ", ".join(missing)
            found = (
                _("separator {found} found but missing required columns: {names}").format(
                    found=repr(dialect.separator), names=names
                )
                if len(header) > 1
                else _(
                    "no ',' or ';' in the header line, missing required columns: {names}"
                ).format(names=names)
            )
            raise CsvImportError([line_problem().format(line=1, problem=found)])
        yield header
        last = reader.line_num
        for values in reader:
            number = reader.line_num
            while values == []:
                values = next(reader, None)
                if values is None:
                    return
            first, last = last + 1, number
            if last > first:
                problems.append(
                    (
                        first,
                        _(
                            "line {line}: a quoted field runs on to line {last} (a quote left "
                            "open?)"
                        ).format(line=first, last=last),
                    )
                )
                continue
            # A row as long as the header has the shape it should.
            if len(values) != len(header):
                shape = dialect.row_problem(_as_dict(header, values), DECIMALS)
                if shape:
                    problems.append((first, line_problem().format(line=first, problem=shape)))
                    continue
            yield first, values
    except csv.Error as exc:
        problem = f"{exc} ({_('a quote left open?')})"
        problems.append((last + 1, line_problem().format(line=last + 1, problem=problem)))


def kept_values(header: list[str], values: list[str]) -> dict[str, str]:
    """The row's values by column name, those of a named column given."""
    return {k: v for k, v in _as_dict(header, values).items() if k and isinstance(v, str)}


def _as_dict(header: list[str], values: list[str]) -> dict[str | None, Any]:
    """The row as csv.DictReader gives it: extra values under None, missing ones None."""
    row: dict[str | None, Any] = dict(zip(header, values, strict=False))
    if len(header) < len(values):
        row[None] = values[len(header) :]
    for name in header[len(values) :]:
        row[name] = None
    return row
