"""Every environment variable stockbot reads, typed and validated in one place.

`load_settings()` is called at start; a bad value stops the process with a message that
names the variable and never echoes its value (some of them are secrets).
"""

from __future__ import annotations

import os
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.cron import parse_cron
from bot.engine.models import Rules

CommaList = Annotated[list[str], NoDecode]
PLATFORM_ZONES = {".ro": "Europe/Bucharest", ".bg": "Europe/Sofia", ".hu": "Europe/Budapest"}


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def _cores() -> int:
    return os.cpu_count() or 1


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """stockbot's configuration, read from the environment."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    database_url: str = Field("sqlite:///./stockbot.db", alias="DATABASE_URL")
    sqlite_busy_timeout_ms: int = Field(
        10_000, alias="STOCKBOT_SQLITE_BUSY_TIMEOUT_MS", ge=0, le=600_000
    )

    low_stock: int = Field(5, alias="STOCKBOT_LOW_STOCK", ge=1, le=65535)
    transfer_cap: int = Field(10, alias="STOCKBOT_TRANSFER_CAP", ge=1, le=65535)
    source_floor: int = Field(5, alias="STOCKBOT_SOURCE_FLOOR", ge=0, le=65535)
    idle_floor: int = Field(10, alias="STOCKBOT_IDLE_FLOOR", ge=0, le=65535)
    weekly_update_days: int = Field(7, alias="STOCKBOT_WEEKLY_UPDATE_DAYS", ge=1, le=365)
    stale_snapshot_hours: int = Field(24, alias="STOCKBOT_STALE_SNAPSHOT_HOURS", ge=1)
    cover_days: int = Field(14, alias="STOCKBOT_COVER_DAYS", ge=1, le=365)
    supply_lead_days: int = Field(14, alias="STOCKBOT_SUPPLY_LEAD_DAYS", ge=0, le=365)
    transit_days: int = Field(7, alias="STOCKBOT_TRANSIT_DAYS", ge=1, le=90)
    new_seller_hours: int = Field(24, alias="STOCKBOT_NEW_SELLER_HOURS", ge=1, le=720)
    # A TOML file of thresholds per product category (bot/rules_file.py).
    rules_file: str | None = Field(None, alias="STOCKBOT_RULES")

    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    admins: CommaList = Field(default_factory=list, alias="STOCKBOT_ADMINS")
    allowed_channels: CommaList = Field(default_factory=list, alias="STOCKBOT_ALLOWED_CHANNELS")

    # The Slack answers' pool (default: the cores), how long a command may wait in it
    # before "busy, answering in a moment", and the REST API's and dashboard's own pool.
    answer_threads: int = Field(
        default_factory=_cores, alias="STOCKBOT_ANSWER_THREADS", ge=1, le=64
    )
    busy_notice_seconds: float = Field(2.0, alias="STOCKBOT_BUSY_NOTICE_SECONDS", gt=0, le=2.5)
    api_threads: int = Field(
        default_factory=lambda: max(4, 2 * _cores()), alias="STOCKBOT_API_THREADS", ge=1, le=256
    )

    alert_channel: str | None = Field(None, alias="STOCKBOT_ALERT_CHANNEL")
    digest_cron: str = Field("42 7 9 * * mon-fri", alias="STOCKBOT_DIGEST_CRON")
    timezone: str = Field("Europe/Bucharest", alias="STOCKBOT_TIMEZONE")
    # What people read (CLI, Slack, dashboard) is in this language; JSON never changes.
    language: Literal["en", "ro"] = Field("en", alias="STOCKBOT_LANGUAGE")
    digest_all_clear: bool = Field(True, alias="STOCKBOT_DIGEST_ALL_CLEAR")
    digest_max_items: int = Field(5000, alias="STOCKBOT_DIGEST_MAX_ITEMS", ge=1)
    # slack.md: about one chat.postMessage a second per channel.
    slack_posts_per_second: float = Field(1.0, alias="STOCKBOT_SLACK_POSTS_PER_SECOND", gt=0, le=50)
    # How long a digest's claim lasts unless its run renews it (it does, while posting).
    digest_lease_seconds: int = Field(120, alias="STOCKBOT_DIGEST_LEASE_SECONDS", ge=10, le=1800)

    emag_api_url: str = Field("https://marketplace-api.emag.ro/api-3", alias="EMAG_API_URL")
    emag_main_username: str | None = Field(None, alias="EMAG_MAIN_USERNAME")
    emag_main_password: SecretStr | None = Field(None, alias="EMAG_MAIN_PASSWORD")
    emag_fbe_username: str | None = Field(None, alias="EMAG_FBE_USERNAME")
    emag_fbe_password: SecretStr | None = Field(None, alias="EMAG_FBE_PASSWORD")
    emag_save_wrapped: bool = Field(False, alias="EMAG_SAVE_WRAPPED")
    emag_timeout_s: float = Field(30.0, alias="EMAG_TIMEOUT_S", gt=0, le=600)
    # The platform's zone, for order dates (local, without an offset); from the URL if unset.
    emag_timezone: str | None = Field(None, alias="EMAG_TIMEZONE")
    emag_call_log: str = Field("emag-calls.log", alias="EMAG_CALL_LOG")
    sync_cron: str = Field("17 23 */4 * * *", alias="STOCKBOT_SYNC_CRON")
    # The weekly plan (issue 16): posted on Mondays; lines under this many units left out.
    plan_cron: str = Field("23 17 8 * * mon", alias="STOCKBOT_PLAN_CRON")
    plan_min_units: int = Field(1, alias="STOCKBOT_PLAN_MIN_UNITS", ge=1, le=65535)
    auto_resend: bool = Field(False, alias="STOCKBOT_AUTO_RESEND")

    api_tokens: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, alias="STOCKBOT_API_TOKENS"
    )
    # None: Secure exactly when the dashboard is served over HTTPS.
    cookie_secure: bool | None = Field(None, alias="STOCKBOT_COOKIE_SECURE")
    session_hours: int = Field(12, alias="STOCKBOT_SESSION_HOURS", ge=1, le=24 * 30)
    login_attempts_per_minute: int = Field(
        5, alias="STOCKBOT_LOGIN_ATTEMPTS_PER_MINUTE", ge=1, le=1000
    )

    _split = field_validator("admins", "allowed_channels", "api_tokens", mode="before")(
        _split_commas
    )

    @field_validator("timezone", "emag_timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _valid_cron_expressions(self) -> Settings:
        for name, expression in (
            ("STOCKBOT_DIGEST_CRON", self.digest_cron),
            ("STOCKBOT_SYNC_CRON", self.sync_cron),
            ("STOCKBOT_PLAN_CRON", self.plan_cron),
        ):
            try:
                parse_cron(expression, self.timezone)
            except ValueError as exc:
                raise ValueError(f"{name}: bad cron expression {expression!r} ({exc})") from None
        return self

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @property
    def zone(self) -> ZoneInfo:
        """STOCKBOT_TIMEZONE as a zone (validated at start)."""
        return ZoneInfo(self.timezone)

    @property
    def emag_zone(self) -> str:
        """EMAG_TIMEZONE, else the zone of the platform EMAG_API_URL points at (.ro
        Bucharest, .bg Sofia, .hu Budapest; emag-api.md, Endpoints and auth)."""
        if self.emag_timezone:
            return self.emag_timezone
        host = urlsplit(self.emag_api_url).hostname or ""
        return next(
            (zone for suffix, zone in PLATFORM_ZONES.items() if host.endswith(suffix)),
            "Europe/Bucharest",
        )

    def rules(self) -> Rules:
        """The engine's thresholds, with STOCKBOT_RULES's per category when it is set;
        RulesFileError (one line: file, line, key) when that file is wrong."""
        base = Rules(
            low_stock=self.low_stock,
            transfer_cap=self.transfer_cap,
            source_floor=self.source_floor,
            idle_floor=self.idle_floor,
            weekly_update_days=self.weekly_update_days,
            stale_snapshot_hours=self.stale_snapshot_hours,
            cover_days=self.cover_days,
            supply_lead_days=self.supply_lead_days,
            transit_days=self.transit_days,
            new_seller_hours=self.new_seller_hours,
        )
        if not self.rules_file:
            return base
        from bot.rules_file import load_rules  # only when a rules file is configured

        return load_rules(self.rules_file, base)


def describe_validation_error(error: ValidationError) -> str:
    """One line per bad variable: its name and what is wrong, never its value."""
    lines = []
    for item in error.errors(include_input=False, include_url=False):
        message = item["msg"].removeprefix("Value error, ")
        name = ".".join(str(part) for part in item["loc"])
        lines.append(f"{name}: {message}" if name else message)
    return "; ".join(lines)


def load_settings(**overrides: Any) -> Settings:
    """Read the environment (overrides win) or raise ConfigError naming the bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(f"bad configuration: {describe_validation_error(exc)}") from None
