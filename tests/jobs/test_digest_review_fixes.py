"""Digest cases found in review: new thresholds, a snoozed alert that got worse, a digest
whose process died mid-post, and very long id lists."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from sqlalchemy import select

from bot.engine.models import Rules
from bot.jobs.digest import run_digest
from storage import queries
from storage.interactions import set_snooze
from storage.models import Digest, Product
from tests.conftest import NOW
from tests.factories import offer, product
from tests.jobs.conftest import CHANNEL, store


def _low(sku: str):  # type: ignore[no-untyped-def]
    return product(offer("main", 30, 3), offer("fbe", 2, 3), sku=sku)


def _zero(sku: str):  # type: ignore[no-untyped-def]
    return product(offer("main", 30, 3), offer("fbe", 0, 3), sku=sku)


def _alert_lines(message: dict) -> list[str]:
    return [
        b["text"]["text"]
        for b in message.get("blocks", [])
        if b.get("block_id", "").startswith("alert:")
    ]


def test_a_digest_after_new_thresholds_lists_what_they_make_alert(runtime, client, slack) -> None:  # type: ignore[no-untyped-def]
    store(runtime, [product(offer("main", 6, 3), offer("fbe", 30, 3), sku="LOW6")], NOW)
    runtime.service.rules = Rules(low_stock=8)  # 6 units with competition is now low

    outcome = run_digest(runtime, client, NOW)

    assert outcome.status == "sent"
    [message] = slack.messages(CHANNEL)
    assert any("*LOW6*" in line and "[MEDIUM] new" in line for line in _alert_lines(message))


def test_a_snoozed_alert_that_got_worse_is_new_once_then_unchanged(runtime, client, slack) -> None:  # type: ignore[no-untyped-def]
    store(runtime, [_low("SNZ1"), _low("OTHER")], NOW)
    with runtime.sessions() as session, session.begin():
        product_id = session.scalar(select(Product.id).where(Product.sku_key == "SNZ1"))
        set_snooze(session, product_id, NOW + timedelta(days=30), "medium", "U1", NOW)
    run_digest(runtime, client, NOW)
    store(runtime, [_zero("SNZ1")], NOW)  # worse than when snoozed, and stays so

    shown = []
    for day in range(1, 5):
        run_digest(runtime, client, NOW + timedelta(days=day))
        shown.append("*SNZ1*" in str(slack.messages(CHANNEL)[-1]))
    assert shown == [True, False, False, False]


class _DiesOnSecondPost:
    """A client whose process dies (deploy, OOM) after the first part of a digest."""

    def __init__(self, real) -> None:  # type: ignore[no-untyped-def]
        self.real, self.calls = real, 0

    def chat_postMessage(self, **kwargs):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 2:
            raise SystemExit("worker killed mid-digest")
        return self.real.chat_postMessage(**kwargs)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.real, name)


def test_a_digest_that_died_mid_post_is_said_late_the_next_day(runtime, client, slack) -> None:  # type: ignore[no-untyped-def]
    store(runtime, [_low(f"L{i:03d}") for i in range(120)], NOW)  # three parts
    with contextlib.suppress(SystemExit):
        run_digest(runtime, _DiesOnSecondPost(client), NOW)
    before = len(slack.messages(CHANNEL))

    outcome = run_digest(runtime, client, NOW + timedelta(days=1))

    assert outcome.status == "sent"
    next_day = slack.messages(CHANNEL)[before:]
    assert f"the digest of {NOW.date()} did not finish posting" in str(next_day[0])
    with runtime.sessions() as session:
        statuses = {d.day: d.status for d in session.scalars(select(Digest))}
    assert statuses[NOW.date()] == "superseded"


def test_id_lists_longer_than_postgresqls_parameter_limit(runtime) -> None:  # type: ignore[no-untyped-def]
    with runtime.sessions() as session:
        assert queries.skus_by_ids(session, range(1, 70_001)) == {}
        assert queries.snapshots_by_ids(session, range(1, 70_001)) == {}
