"""APScheduler wiring for the worker process; the jobs live with what they do."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.cron import parse_cron
from bot.settings import Settings

log = logging.getLogger(__name__)

DIGEST_JOB = "stock-digest"
SYNC_JOB = "emag-sync"
PLAN_JOB = "stock-plan"
RESUME_JOB = "stock-digest-resume"
# A digest that could not start on time (process down, machine asleep) still goes out
# if the worker is back within this many seconds; later it waits for the next day.
MISFIRE_GRACE_SECONDS = 6 * 3600


def add_cron_job(
    scheduler: BaseScheduler, job_id: str, expression: str, timezone: str, job: Callable[[], object]
) -> None:
    scheduler.add_job(
        job,
        parse_cron(expression, timezone),
        id=job_id,
        name=job_id,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )


def build_scheduler(
    settings: Settings,
    digest_job: Callable[[], object] | None = None,
    blocking: bool = True,
    sync_job: Callable[[], object] | None = None,
    plan_job: Callable[[], object] | None = None,
) -> BaseScheduler:
    """The worker's scheduler: the digest on STOCKBOT_DIGEST_CRON, the eMAG sync on
    STOCKBOT_SYNC_CRON and the weekly plan on STOCKBOT_PLAN_CRON, each when given."""
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone=settings.timezone)
    if digest_job is not None:
        add_cron_job(scheduler, DIGEST_JOB, settings.digest_cron, settings.timezone, digest_job)
    if sync_job is not None:
        add_cron_job(scheduler, SYNC_JOB, settings.sync_cron, settings.timezone, sync_job)
    if plan_job is not None:
        add_cron_job(scheduler, PLAN_JOB, settings.plan_cron, settings.timezone, plan_job)
    return scheduler


def add_once(
    scheduler: BaseScheduler, job_id: str, after: timedelta, job: Callable[[], object]
) -> None:
    """`job` once, `after` from now (e.g. when a dead worker's claim has lapsed)."""
    scheduler.add_job(
        job, "date", run_date=datetime.now().astimezone() + after, id=job_id, name=job_id
    )
