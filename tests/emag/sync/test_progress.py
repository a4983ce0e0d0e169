"""Progress of `stockbot sync` and `resend-offers` against the fake eMAG: one bar per
account on a terminal (rich honours TTY_COMPATIBLE=1 as a terminal), nothing in a pipe or
with --quiet, and the same work done whether anyone watches or not."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.emag.client import EmagClient
from bot.emag.progress import EmagProgress
from bot.emag.ratelimit import AccountLimiters, Window
from bot.emag.sync import sync_accounts
from bot.engine.models import Account
from bot.runtime import build_runtime
from storage.db import make_engine, upgrade
from storage.models import Offer, Product
from tests.conftest import NOW
from tests.emag.conftest import fast_retry
from tests.emag.sync.conftest import MakeClients, settings_for
from tests.emag.sync.test_commands import run
from tests.fake_emag import FakeEmag

BAR = "━"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _frames(err: str) -> list[str]:
    """The lines rich drew on stderr, without their colours and cursor moves."""
    return ANSI.sub("", err).replace("\r", "\n").splitlines()


class Recorder(EmagProgress):
    """Every event the work tells, in order (appends are safe from both threads)."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def counted(self, account: Account, offers: int) -> None:
        self.events.append(("counted", account, offers))

    def stepped(self, account: Account, offers: int, calls: int = 1) -> None:
        self.events.append(("stepped", account, offers, calls))

    def waiting(self, account: Account, seconds: float) -> None:
        self.events.append(("waiting", account, seconds))

    def storing(self, account: Account) -> None:
        self.events.append(("storing", account))

    def of(self, kind: str, account: Account) -> list[tuple]:
        return [e for e in self.events if e[0] == kind and e[1] == account]


class VirtualClock:
    """A monotonic clock that a sleep moves on at once: long rate waits in no time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "80")


def test_a_terminal_sees_a_bar_per_account_with_its_offers_and_pages(
    fake: FakeEmag, env: None, tty: None, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.populate(250)
    assert run("sync") == 0
    out, err = capsys.readouterr()
    assert BAR in err
    bars = [line for line in _frames(err) if "250/250 offers" in line]
    assert any(line.startswith("MAIN ") and "3 pages" in line for line in bars)
    assert any(line.startswith("FBE ") and "3 pages" in line for line in bars)
    assert all(len(line.rstrip()) <= 80 for line in _frames(err))
    # The report itself is on stdout, after the bars are gone, as in a pipe.
    assert "MAIN: 250 offers read in 3 pages" in out and BAR not in out


def test_a_pipe_or_quiet_sees_no_bar_and_the_same_report(
    fake: FakeEmag, env: None, tty: None, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    fake.populate(250)
    assert run("sync", "--quiet") == 0
    quiet_out, quiet_err = capsys.readouterr()
    monkeypatch.delenv("TTY_COMPATIBLE")  # capsys's stderr is no terminal
    assert run("sync") == 0
    piped_out, piped_err = capsys.readouterr()
    assert quiet_err == "" and piped_err == ""
    for out in (quiet_out, piped_out):
        assert out.startswith("MAIN: 250 offers read in 3 pages (")
        assert "\nFBE: 250 offers read in 3 pages (" in out
        assert BAR not in out and "\x1b" not in out


def test_resend_on_a_terminal_counts_offers_and_batches_per_account(
    fake: FakeEmag, env: None, tty: None, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.populate(120)
    assert run("sync", "--quiet") == 0
    capsys.readouterr()
    assert run("resend-offers", "--all", "--yes") == 0
    out, err = capsys.readouterr()
    bars = [line for line in _frames(err) if "120/120 offers" in line]
    assert any(line.startswith("MAIN ") and "3 batches" in line for line in bars)
    assert any(line.startswith("FBE ") and "3 batches" in line for line in bars)
    assert "MAIN: 120 sent, 0 refused (3 batches)" in out
    assert run("resend-offers", "--all", "--yes", "--quiet") == 0
    out, err = capsys.readouterr()
    assert err == "" and "FBE: 120 sent, 0 refused (3 batches)" in out


def _stored(url: str) -> list[tuple]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                Product.sku,
                Product.category,
                Offer.account,
                Offer.emag_offer_id,
                Offer.stock,
                Offer.sale_price,
                Offer.number_of_offers,
                Offer.buy_button_rank,
                Offer.sales_velocity,
                Offer.last_read_at,
            )
            .join(Product, Product.id == Offer.product_id)
            .order_by(Offer.account, Offer.emag_offer_id)
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_the_sync_does_the_same_with_and_without_an_observer(
    fake: FakeEmag, make_clients: MakeClients, tmp_path: Path
) -> None:
    fake.populate(250)
    fake.populate_orders(days=30, per_day=5)
    results, stored, recorder = [], [], Recorder()
    for name, progress in (("watched", recorder), ("unwatched", None)):
        url = f"sqlite:///{tmp_path / name}.db"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        runtime = build_runtime(settings_for(fake, url))
        report = sync_accounts(runtime, make_clients(), NOW, progress=progress)
        runtime.engine.dispose()
        results.append(report.model_dump(exclude={"accounts": {"__all__": {"seconds"}}}))
        stored.append(_stored(url))
    assert results[0] == results[1] and stored[0] == stored[1]
    assert len(stored[0]) == 500
    for account in ("main", "fbe"):
        assert recorder.of("counted", account) == [("counted", account, 250)]
        steps = recorder.of("stepped", account)
        assert [e[2] for e in steps] == [100, 100, 50] and all(e[3] == 1 for e in steps)
        assert recorder.of("storing", account) == [("storing", account)]


def test_long_rate_waits_of_the_offer_calls_are_told_and_then_their_end(
    fake: FakeEmag, db_url: str
) -> None:
    fake.populate(250)
    clock = VirtualClock()
    # Two offer calls a minute: every further page waits about a minute for the budget.
    limiters = AccountLimiters({"offers": (Window(2, 60.0),)}, clock=clock, sleep=clock.sleep)
    client = EmagClient(
        "main", fake.url, *fake.credentials("main"), retry=fast_retry(), limiters=limiters
    )
    runtime = build_runtime(settings_for(fake, db_url))
    recorder = Recorder()
    try:
        report = sync_accounts(runtime, [client], NOW, progress=recorder)
    finally:
        client.close()
        runtime.engine.dispose()
    assert report.ok and report.accounts[0].pages == 3
    waits = [e[2] for e in recorder.of("waiting", "main")]
    assert waits and all(w == 0.0 or w > 50 for w in waits)
    # Each wait is followed by its end before the next one starts.
    assert waits[1::2] == [0.0] * (len(waits) // 2) and 0.0 not in waits[::2]
    assert recorder.of("waiting", "fbe") == []
