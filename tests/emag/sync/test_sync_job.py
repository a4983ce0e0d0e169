"""The worker's sync job: scheduled from STOCKBOT_SYNC_CRON, followed by the weekly
re-send when STOCKBOT_AUTO_RESEND is on; and a worker with nothing to do refuses to start."""

from __future__ import annotations

import pytest

from bot.cli.main import main
from bot.jobs import worker as jobs
from bot.jobs.scheduler import DIGEST_JOB, SYNC_JOB, build_scheduler
from bot.runtime import build_runtime
from bot.settings import load_settings
from tests.emag.sync.conftest import settings_for
from tests.fake_emag import FakeEmag


def test_sync_job_uses_the_configured_cron_and_zone() -> None:
    settings = load_settings(STOCKBOT_SYNC_CRON="17 23 */4 * * *", STOCKBOT_TIMEZONE="UTC")
    scheduler = build_scheduler(settings, sync_job=lambda: None, blocking=False)
    job = scheduler.get_job(SYNC_JOB)
    fields = {field.name: str(field) for field in job.trigger.fields}
    assert (fields["second"], fields["minute"], fields["hour"]) == ("17", "23", "*/4")
    assert str(job.trigger.timezone) == "UTC"
    assert job.coalesce is True and job.max_instances == 1
    assert scheduler.get_job(DIGEST_JOB) is None


@pytest.mark.parametrize("auto_resend", [False, True])
def test_sync_then_weekly_resend_only_when_enabled(
    fake: FakeEmag, db_url: str, auto_resend: bool
) -> None:
    fake.populate(30)
    runtime = build_runtime(settings_for(fake, db_url, auto_resend=auto_resend))
    try:
        report, resent = jobs.sync_and_resend(runtime)
    finally:
        runtime.engine.dispose()
    assert report.ok and [r.offers for r in report.accounts] == [30, 30]
    saves = fake.requests(path="offer/save")
    if auto_resend:
        assert resent is not None and resent.sent == 60
        assert sum(len(request.body) for request in saves) == 60
    else:
        assert resent is None and saves == []


def test_worker_with_nothing_configured_refuses_to_start(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    for name in ("SLACK_BOT_TOKEN", "STOCKBOT_ALERT_CHANNEL", "EMAG_MAIN_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    assert main(["worker"]) == 1
    assert "nothing to schedule" in capsys.readouterr().err
