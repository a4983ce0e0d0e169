"""The worker's weekly plan: STOCKBOT_PLAN_CRON (Monday 08:17:23 in the workspace's zone
by default), one channel message with the CSV in its thread, once per day."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.jobs import worker as jobs
from bot.jobs.plan_post import post_plan
from bot.jobs.scheduler import MISFIRE_GRACE_SECONDS, PLAN_JOB, build_scheduler
from bot.runtime import Runtime
from bot.settings import ConfigError, load_settings
from bot.slack_client import make_web_client
from bot.slack_standin import SlackStandin
from tests.engine.test_plan import catalogue
from tests.jobs.conftest import CHANNEL, Clock, store


def test_the_plan_is_one_channel_message_with_its_csv_in_the_thread(
    runtime: Runtime, slack: SlackStandin, clock: Clock
) -> None:
    store(runtime, catalogue(), clock.now)
    posted = post_plan(runtime, make_web_client(runtime.settings))
    assert posted.status == "sent" and posted.channel_id == CHANNEL
    [message] = slack.top_level(CHANNEL)
    assert "Stock plan" in str(message["blocks"]) and "84 units, 3 SKUs" in str(message["blocks"])
    [reply] = [m for m in slack.replies(CHANNEL, message["ts"]) if m.get("files")]
    [stored] = slack.files()
    assert reply["files"][0]["id"] == stored["id"]
    assert stored["data"].startswith(b"\xef\xbb\xbf")

    again = post_plan(runtime, make_web_client(runtime.settings))
    assert again.status == "skipped"
    assert len(slack.top_level(CHANNEL)) == 1 and len(slack.files()) == 1


def test_a_refused_post_is_claimed_again_by_the_next_run(
    runtime: Runtime, slack: SlackStandin, clock: Clock
) -> None:
    store(runtime, catalogue(), clock.now)
    slack.fail_next("chat.postMessage", status=500, retry_after=None, times=1)
    jobs.plan_job(runtime)  # logs, never raises
    assert slack.top_level(CHANNEL) == []
    assert post_plan(runtime, make_web_client(runtime.settings)).status == "sent"


def test_the_plan_job_runs_on_monday_at_08_17_23_local_by_default() -> None:
    settings = load_settings(STOCKBOT_TIMEZONE="Europe/Bucharest")
    job = build_scheduler(settings, plan_job=lambda: None, blocking=False).get_job(PLAN_JOB)
    zone = ZoneInfo("Europe/Bucharest")
    after = datetime(2026, 12, 2, 12, 0, tzinfo=zone)  # a Wednesday
    assert job.trigger.get_next_fire_time(None, after) == datetime(
        2026, 12, 7, 8, 17, 23, tzinfo=zone
    )
    assert job.coalesce is True and job.misfire_grace_time == MISFIRE_GRACE_SECONDS


def test_a_bad_plan_cron_fails_at_start_naming_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(STOCKBOT_PLAN_CRON="every monday")
    assert "STOCKBOT_PLAN_CRON" in str(caught.value)


def test_the_plan_minimum_is_a_positive_whole_number() -> None:
    assert load_settings().plan_min_units == 1
    with pytest.raises(ConfigError) as caught:
        load_settings(STOCKBOT_PLAN_MIN_UNITS="0")
    assert "STOCKBOT_PLAN_MIN_UNITS" in str(caught.value)
