"""Snooze durations as people type them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import InvalidInput
from bot.interactions import parse_duration

NOW = datetime(2026, 11, 25, 9, 7, 42, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "until"),
    [
        ("3d", NOW + timedelta(days=3)),
        ("12H", NOW + timedelta(hours=12)),
        ("2w", NOW + timedelta(weeks=2)),
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
        ("2026-12-01T00:00+05:00", datetime(2026, 11, 30, 19, tzinfo=UTC)),
        ("2026-12-01T10:00Z", datetime(2026, 12, 1, 10, tzinfo=UTC)),
    ],
)
def test_durations_and_dates(typed: str, until: datetime) -> None:
    assert parse_duration(typed, NOW) == until


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("forever", "is not a duration"),
        ("0d", "must end in the future"),
        ("2026-11-01", "must end in the future"),
        ("91d", "at most 90 days"),
        ("3²d", "is not a duration"),
    ],
)
def test_bad_durations(typed: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        parse_duration(typed, NOW)
