"""The CSV read in a forked child: the same batches as OfferStream in the process, the
child's refusals and failures raised in the parent, a child that dies named as such,
and a child no longer needed stopped."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import StockbotError
from bot.intake.csv_dialect import CsvDialect
from bot.intake.csv_errors import CsvImportError
from bot.intake.csv_process import AHEAD, InProcess, ReadAside
from tests.conftest import NOW

HEADER = "sku,account,stock,number_of_offers,sale_price,last_sent_at\n"


def _lines(rows: int, then: str | None = None, mark: Path | None = None) -> Iterator[str]:
    """A file of `rows` good rows; `then`, once they are read (in the child): "kill" it
    or raise "oserror"; `mark`, a file made once they are read."""
    yield HEADER
    for index in range(rows):
        yield f"S{index // 2},{('main', 'fbe')[index % 2]},{index % 7},2,{index}.5,\n"
    if mark is not None:
        mark.touch()
    if then == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if then == "oserror":
        raise OSError("the disk went away")


def _read(stream: ReadAside | InProcess) -> tuple[list, list[int]]:
    seen: list[int] = []
    stream.on_rows(seen.append)
    with stream:
        batches = [(dict(b.products), dict(b.offers)) for b in stream.batches()]
        stream.check()
    return batches, seen


def test_the_child_gives_what_the_stream_gives_in_the_process() -> None:
    aside = _read(ReadAside(_lines(25), NOW, CsvDialect(), 10))
    here = _read(InProcess(_lines(25), NOW, CsvDialect(), 10))
    assert aside == here
    assert [len(products) for products, _offers in aside[0]] == [5, 5, 3] and aside[1] == [
        10,
        10,
        5,
    ]


def test_a_bad_row_in_the_child_is_refused_in_the_parent() -> None:
    lines = [HEADER, "A1,main,1,2,,\n", "A2,nowhere,1,2,,\n"]
    with ReadAside(iter(lines), NOW, CsvDialect(), 10) as stream:
        assert list(stream.batches()) == []
        with pytest.raises(CsvImportError) as refused:
            stream.check()
    assert refused.value.problems == ["line 3: account must be 'main' or 'fbe', not 'nowhere'"]


def test_a_failure_in_the_child_is_raised_in_the_parent() -> None:
    with ReadAside(_lines(4, then="oserror"), NOW, CsvDialect(), 10) as stream:
        list(stream.batches())
        with pytest.raises(OSError, match="the disk went away"):
            stream.check()


def test_a_child_that_dies_is_named_and_nothing_is_taken_from_it() -> None:
    with ReadAside(_lines(4, then="kill"), NOW, CsvDialect(), 10) as stream:
        assert list(stream.batches()) == []
        with pytest.raises(StockbotError, match=r"ended unexpectedly \(exit code -9\)"):
            stream.check()


def test_leaving_early_stops_the_child() -> None:
    stream = ReadAside(_lines(200_000), NOW, CsvDialect(), 100)
    with stream:
        next(iter(stream.batches()))
        child = stream._child
        assert child.is_alive()  # held up by the full pipe
    assert not child.is_alive() and child.exitcode == -signal.SIGKILL


def test_the_child_reads_ahead_of_a_parent_not_reading_yet(tmp_path: Path) -> None:
    # Batches of 2,000 rows pickle to some 200 KB each, more than the pipe's 64 KiB:
    # without the child's own queue it would wait on the first one until the parent,
    # still loading its database, reads.
    mark = tmp_path / "read"
    batches = AHEAD - 2
    with ReadAside(_lines(2_000 * batches, mark=mark), NOW, CsvDialect(), 2_000) as stream:
        deadline = time.monotonic() + 30
        while not mark.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert mark.exists()  # every row read before the parent took any
        assert len(list(stream.batches())) == batches
        stream.check()
    assert stream.products == 1_000 * batches
