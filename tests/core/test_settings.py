"""Settings: defaults, parsing, and errors that name the variable without its value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings, load_settings


def test_defaults_are_engine_md_thresholds(monkeypatch):
    for name in ("STOCKBOT_LOW_STOCK", "STOCKBOT_TRANSFER_CAP", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    rules = settings.rules()
    assert (rules.low_stock, rules.transfer_cap, rules.source_floor, rules.idle_floor) == (
        5,
        10,
        5,
        10,
    )
    assert (rules.weekly_update_days, rules.stale_snapshot_hours) == (7, 24)
    assert settings.database_url == "sqlite:///./stockbot.db"


def test_environment_overrides_and_lists(monkeypatch):
    monkeypatch.setenv("STOCKBOT_TRANSFER_CAP", "12")
    monkeypatch.setenv("STOCKBOT_ADMINS", "U1, U2,")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    settings = load_settings()
    assert settings.transfer_cap == 12
    assert settings.admins == ["U1", "U2"]
    assert settings.database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STOCKBOT_LOW_STOCK", "five"),
        ("STOCKBOT_TRANSFER_CAP", "0"),
        ("STOCKBOT_TIMEZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://x"),
    ],
)
def test_a_bad_value_names_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert name in str(caught.value)


def test_a_bad_secret_is_not_echoed(monkeypatch):
    monkeypatch.setenv("STOCKBOT_LOW_STOCK", "hunter2-secret")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "hunter2-secret" not in str(caught.value)


def test_the_rules_document_names_only_settings_that_exist() -> None:
    rules = (Path(__file__).parents[2] / "docs" / "rules.md").read_text()
    named = set(re.findall(r"`(STOCKBOT_[A-Z_]+)`", rules))
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert named and named <= aliases, named - aliases
