"""The trend chart follows the digest on Mondays only (files_upload_v2 to the stand-in)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.intake.demo_data import emg331
from bot.jobs import worker as jobs
from bot.runtime import Runtime
from bot.slack_standin import SlackStandin
from tests.jobs.conftest import CHANNEL, Clock, store

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("days_ahead", "uploaded"), [(5, True), (0, False)])
def test_weekly_chart_is_uploaded_with_the_monday_digest(
    runtime: Runtime, slack: SlackStandin, clock: Clock, days_ahead: int, uploaded: bool
) -> None:
    clock.now += timedelta(days=days_ahead)  # 25 Nov 2026 is a Wednesday; +5 is Monday
    store(runtime, [emg331(clock.now)], clock.now)
    outcome = jobs.post_digest(runtime)
    assert outcome.status == "sent"
    files = slack.files()
    if not uploaded:
        assert files == []
        return
    [chart] = files
    assert chart["filename"] == "stock-trend.png"
    assert chart["data"].startswith(PNG_MAGIC)
    shared = [m for m in slack.messages(CHANNEL) if m.get("files")]
    assert shared[0]["files"][0]["id"] == chart["id"]


@pytest.mark.parametrize("failing", ["upload", "files.completeUploadExternal"])
def test_a_failed_chart_upload_leaves_the_monday_digest_sent(
    runtime: Runtime, slack: SlackStandin, clock: Clock, failing: str
) -> None:
    clock.now += timedelta(days=5)
    store(runtime, [emg331(clock.now)], clock.now)
    slack.fail_next(failing, status=503, retry_after=None, times=None)
    outcome = jobs.post_digest(runtime)
    assert outcome.status == "sent"
    assert any("Stock alerts digest" in str(m["blocks"]) for m in slack.messages(CHANNEL))
