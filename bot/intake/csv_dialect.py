"""How a spreadsheet wrote a CSV file: its encoding and separator, found from its bytes
(engine.md, CSV import format).

English Excel and scripts write UTF-8 with ',' and decimal points. Romanian Excel's
"CSV (separat prin virgulă)" writes cp1250 with ';' and decimal commas ("1.234,50"), and
its "CSV UTF-8" writes a BOM. UTF-16 ("Unicode text") is refused by name: read as bytes
it would only be a confusing error on line 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.engine.limits import FieldError
from bot.i18n import _

SEPARATORS = (",", ";")
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16 LE: it starts with the same 2 bytes
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
# cp1250 has only the cedilla letters; Excel writes them for ș and ț, which Romanian
# spells with a comma below (and eMAG shows so).
_COMMA_BELOW = str.maketrans("şŞţŢ", "șȘțȚ")
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1250": "cp1250"}
_DECIMAL_COMMA = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+|[0-9]+,[0-9]+")
_DECIMAL_POINT = re.compile(r"[0-9.]*[0-9]\.[0-9][0-9.]*")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")


def _comma_in_comma_file() -> str:
    return _("decimal comma in {name} ({value}) but the separator is ','")


class DialectError(ValueError):
    """The file is in an encoding or shape stockbot does not read; the message says which."""


@dataclass(frozen=True)
class CsvDialect:
    """The codec a file was read with and its separator; ';' goes with decimal commas."""

    encoding: str = "utf-8"
    separator: str = ","

    def describe(self) -> str:
        """e.g. "cp1250, separator ';', decimal comma"."""
        encoding = _ENCODING_NAMES.get(self.encoding, self.encoding)
        decimals = _("decimal comma") if self.separator == ";" else _("decimal point")
        return _("{encoding}, separator {separator}, {decimals}").format(
            encoding=encoding, separator=repr(self.separator), decimals=decimals
        )

    def decimal(self, value: str, name: str) -> str:
        """A decimal column's value as Python's Decimal reads it; a mark that does not go
        with the separator is refused by name rather than misread a thousandfold."""
        text = value.strip()
        if self.separator == ",":
            if _DECIMAL_COMMA.fullmatch(text):
                raise FieldError(_comma_in_comma_file().format(name=name, value=repr(text)))
            return value
        if _DECIMAL_COMMA.fullmatch(text):
            return text.replace(".", "").replace(",", ".")
        if _DECIMAL_POINT.fullmatch(text):
            # "1.250" is 1250 in Romanian and 1.25 elsewhere: neither is guessed.
            raise FieldError(
                _(
                    "decimal point in {name} ({value}) but the separator is ';' (decimal comma "
                    "expected, e.g. 12,50)"
                ).format(name=name, value=repr(text))
            )
        return value

    def whole(self, value: str) -> str:
        """A whole-number column's value without its thousands dots ("1.234" in ';')."""
        text = value.strip()
        if self.separator == ";" and _THOUSANDS.fullmatch(text):
            return text.replace(".", "")
        return value

    def row_problem(self, row: Mapping[str | None, Any], decimals: Sequence[str]) -> str | None:
        """What is wrong with the shape of a csv.DictReader row, or None: more values than
        the header names columns (a decimal comma unquoted in a ',' file, most often), or
        a line written with the other separator."""
        cells = {name: value for name, value in row.items() if name is not None}
        extra: list[str] = row.get(None) or []
        if any(value.strip() for value in extra):
            flat, names = [*cells.values(), *extra], list(cells)
            for name in decimals:
                at = names.index(name) if name in names else -1
                if self.separator == "," and len(extra) == 1 and at >= 0:
                    split = f"{flat[at].strip()},{flat[at + 1].strip()}"
                    if re.fullmatch(r"[0-9]+,[0-9]+", split):
                        return _comma_in_comma_file().format(name=name, value=repr(split))
            return _(
                "{values} values but the header names {columns} columns (a {separator} inside "
                "an unquoted value?)"
            ).format(values=len(flat), columns=len(cells), separator=repr(self.separator))
        given = [value for value in cells.values() if value is not None]
        other = next(sep for sep in SEPARATORS if sep != self.separator)
        if len(cells) > 1 and len(given) == 1 and other in given[0]:
            return _("separator {found} found but the header line uses {header}").format(
                found=repr(other), header=repr(self.separator)
            )
        return None


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32, by its BOM or, without one, by the NUL byte beside each ASCII
    character (a stray NUL in a UTF-8 file is a bad value, reported on its line)."""
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            return name
    sample = data[:4096]
    halves = (sample[0::2], sample[1::2])
    for zeros, text in (halves, halves[::-1]):
        if len(zeros) >= 2 and zeros.count(0) * 3 > len(zeros) and text.count(0) * 10 <= len(text):
            return "UTF-16"
    return None


def _at(number: int, line: bytes, exc: UnicodeDecodeError, what: str) -> str:
    return _("line {line}: {what} (byte {byte})").format(
        line=number, what=what, byte=f"{line[exc.start]:#04x}"
    )


def _mixed(utf8: int, other: int) -> DialectError:
    # A file with some lines in UTF-8 and some not was pasted together: reading it all as
    # cp1250 would garble the UTF-8 ones ("Ă" would read as two letters), so it is refused.
    return DialectError(
        _("line {utf8} is UTF-8 but line {other} is not: mixed encodings").format(
            utf8=utf8, other=other
        )
    )


def sniff(lines: Iterable[bytes], head: bytes) -> tuple[str, int]:
    """The codec of a file given as its lines (each with its b"\n") and its first bytes,
    and its number of lines: UTF-8 (with or without a BOM), else cp1250 for a file that is
    UTF-8 on none of its lines. One pass in constant memory; a multi-byte character never
    spans a newline, so line by line is the file's own verdict."""
    wide = _wide_encoding(head)
    if wide:
        raise DialectError(
            _("the file is {encoding}; save it as CSV UTF-8, or as CSV with ';'").format(
                encoding=wide
            )
        )
    bom = head.startswith(codecs.BOM_UTF8)
    utf8 = other = number = 0
    cp1250: tuple[int, bytes, UnicodeDecodeError] | None = None
    for number, line in enumerate(lines, start=1):
        text = line[len(codecs.BOM_UTF8) :] if bom and number == 1 else line
        if text.isascii():
            continue
        try:
            text.decode("utf-8")
        except UnicodeDecodeError as exc:
            if bom:
                what = "not UTF-8 although the file starts with its BOM"
                raise DialectError(_at(number, text, exc, what)) from None
            other = other or number
            if cp1250 is None:
                try:
                    text.decode("cp1250")
                except UnicodeDecodeError as bad:
                    cp1250 = (number, text, bad)
        else:
            utf8 = utf8 or number
        if utf8 and other:
            raise _mixed(utf8, other)
    if not other:
        return ("utf-8-sig" if bom else "utf-8"), number
    if cp1250 is not None:
        raise DialectError(_at(*cp1250, "neither UTF-8 nor cp1250"))
    return "cp1250", number


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the codec it was read with (see `sniff`)."""
    encoding, _lines = sniff(io.BytesIO(data), data[:4096])
    text = data.decode(encoding)
    return (text.translate(_COMMA_BELOW) if encoding == "cp1250" else text), encoding


def separator(header: str, required: Sequence[str]) -> str:
    """',' or ';': the one whose split of the header line names the required columns;
    else the one that splits it into more columns (the missing ones are then reported)."""
    names = {
        sep: [name.strip().lower() for name in next(csv.reader([header], delimiter=sep), [])]
        for sep in SEPARATORS
    }
    for sep in SEPARATORS:
        if all(name in names[sep] for name in required):
            return sep
    return max(SEPARATORS, key=lambda sep: len(names[sep]))


def read(data: bytes, required: Sequence[str]) -> tuple[str, CsvDialect]:
    """The file's text and dialect, or DialectError naming what was found."""
    text, encoding = decode(data)
    header = text.split("\n", 1)[0].rstrip("\r")
    return text, CsvDialect(encoding, separator(header, required))


@contextmanager
def open_csv(
    path: Path, required: Sequence[str]
) -> Iterator[tuple[Iterator[str], CsvDialect, int]]:
    """The file's lines as text, its dialect and its number of lines, read as `read`
    reads bytes but in two passes of constant memory (the codec, then the text); OSError
    when it cannot be read, DialectError naming what was found."""
    with path.open("rb") as binary:
        head = binary.read(4096)
        binary.seek(0)
        encoding, count = sniff(binary, head)
    with path.open(encoding=encoding, newline="") as stream:
        lines: Iterator[str] = iter(stream)
        if encoding == "cp1250":
            lines = (line.translate(_COMMA_BELOW) for line in stream)
        header = next(lines, "")
        dialect = CsvDialect(encoding, separator(header.split("\n", 1)[0].rstrip("\r"), required))
        yield itertools.chain([header], lines), dialect, count
