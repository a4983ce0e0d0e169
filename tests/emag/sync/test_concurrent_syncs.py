"""Two syncs at once (the worker's and a manual one): one runs, the other does nothing,
and the alert history never holds the same open alert twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.emag.sync import sync_accounts
from bot.runtime import build_runtime
from storage.db import transaction
from storage.history import record_history
from storage.models import AlertRecord
from tests.emag.sync.conftest import MakeClients, settings_for
from tests.fake_emag import FakeEmag
from tests.handlers.conftest import wait_for


def _duplicate_open_alerts(runtime) -> list:  # type: ignore[no-untyped-def]
    with runtime.sessions() as session:
        return session.execute(
            select(AlertRecord.product_id, AlertRecord.issue, AlertRecord.account)
            .where(AlertRecord.closed_at.is_(None))
            .group_by(AlertRecord.product_id, AlertRecord.issue, AlertRecord.account)
            .having(func.count() > 1)
        ).all()


def test_overlapping_syncs_run_once_and_never_double_an_alert(
    fake: FakeEmag, db_url: str, make_clients: MakeClients
) -> None:
    fake.populate(300)
    fake.slow("main", 0.5, count=1)  # the first sync is still reading when the second starts
    now = datetime.now(UTC).replace(microsecond=0)
    runtimes = [build_runtime(settings_for(fake, db_url)) for _ in range(2)]
    reports: list = [None, None]

    def run(index: int) -> None:
        reports[index] = sync_accounts(runtimes[index], make_clients(), now)

    first = threading.Thread(target=run, args=(0,))
    first.start()
    wait_for(lambda: fake.requests("main"))
    run(1)
    first.join()
    try:
        assert reports[0].ok
        assert [a.status for a in reports[1].accounts] == ["failed", "failed"]
        assert {a.error for a in reports[1].accounts} == {
            "another sync is running; this one did nothing"
        }
        assert _duplicate_open_alerts(runtimes[0]) == []
        # Once the first is done, the next sync runs.
        assert sync_accounts(runtimes[1], make_clients(), now + timedelta(minutes=5)).ok
    finally:
        for runtime in runtimes:
            runtime.engine.dispose()


def test_duplicate_open_alerts_left_by_an_old_race_are_closed(
    fake: FakeEmag, db_url: str, make_clients: MakeClients
) -> None:
    fake.populate(30)
    now = datetime.now(UTC).replace(microsecond=0)
    runtime = build_runtime(settings_for(fake, db_url))
    try:
        assert sync_accounts(runtime, make_clients(), now).ok
        with transaction(runtime.sessions) as session:
            first = session.scalars(
                select(AlertRecord).where(AlertRecord.closed_at.is_(None)).limit(1)
            ).one()
            session.add(
                AlertRecord(
                    product_id=first.product_id,
                    issue=first.issue,
                    account=first.account,
                    priority=first.priority,
                    opened_at=first.opened_at,
                )
            )
        assert len(_duplicate_open_alerts(runtime)) == 1
        with transaction(runtime.sessions) as session:
            record_history(session, now + timedelta(minutes=1), runtime.service.rules)
        assert _duplicate_open_alerts(runtime) == []
    finally:
        runtime.engine.dispose()
