"""Cron expressions of the settings, parsed by APScheduler's CronTrigger.

Six fields put seconds first (`42 7 9 * * mon-fri` is 09:07:42 on weekdays), so jobs
can avoid round clock times as eMAG asks; five fields are classic crontab.
"""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

_SIX_FIELDS = ("second", "minute", "hour", "day", "month", "day_of_week")


def parse_cron(expression: str, timezone: str) -> CronTrigger:
    """A trigger for `expression` in `timezone`; ValueError says what is wrong."""
    fields = expression.split()
    if len(fields) == 5:
        return CronTrigger.from_crontab(expression, timezone=timezone)
    if len(fields) == 6:
        return CronTrigger(**dict(zip(_SIX_FIELDS, fields, strict=True)), timezone=timezone)
    raise ValueError(f"expected 5 or 6 cron fields (seconds first), got {len(fields)}")
