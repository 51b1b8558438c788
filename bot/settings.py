"""Typed settings, read once from the environment and `.env`, validated at start-up."""

from __future__ import annotations

import re
import sys
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import bundled_content, masking
from bot.envfile import EnvFileError, check_env_file
from bot.storage.urls import is_postgres_url, url_secrets

TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
HTTP_URL = re.compile(r"^https?://[^\s/]+(/[^\s]*)?$")
QUIET_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and never echoes secrets."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = Field(default=None, alias="BOT_TOKEN")
    telegram_api_url: str = Field(default="https://api.telegram.org", alias="TELEGRAM_API_URL")
    database_path: Path = Field(default=Path("data/suara.db"), alias="DATABASE_PATH")
    # postgresql://user:password@host:5432/db selects PostgreSQL instead of the SQLite file
    # (secret: it may carry the password; shown only through storage.urls.redact_url).
    database_url: SecretStr | None = Field(default=None, alias="DATABASE_URL")
    admin_ids: Annotated[tuple[int, ...], NoDecode] = Field(default=(), alias="ADMIN_IDS")
    timezone: str = Field(default="Asia/Jakarta", alias="TIMEZONE")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", alias="LOG_LEVEL"
    )
    log_format: Literal["text", "json"] = Field(default="text", alias="LOG_FORMAT")
    content_dir: Path = Field(default_factory=bundled_content, alias="CONTENT_DIR")
    quiet_hours: str = Field(default="21:00-06:00", alias="QUIET_HOURS")
    daily_cap: int = Field(default=2, ge=0, le=50, alias="DAILY_CAP")
    broadcast_rate: float = Field(default=25.0, gt=0, le=1000, alias="BROADCAST_RATE")
    paid_broadcast: bool = Field(default=False, alias="PAID_BROADCAST")
    schedule_grace_hours: float = Field(default=6.0, ge=0, le=168, alias="SCHEDULE_GRACE_HOURS")
    # CPU threads of the sentence-embedding model, off the event loop: as many workers, sharing
    # that many engine threads (a question alone gets them all). 0 = keywords only.
    semantic_threads: int = Field(default=2, ge=0, le=8, alias="SEMANTIC_THREADS")
    # Per-user flood control: more than FLOOD_LIMIT messages and button presses in a minute
    # gets one notice, then nothing for FLOOD_COOLDOWN_SECONDS (0 = off; ADMIN_IDS exempt).
    flood_limit: int = Field(default=30, ge=0, le=10_000, alias="FLOOD_LIMIT")
    flood_cooldown_seconds: int = Field(default=60, ge=1, le=86_400, alias="FLOOD_COOLDOWN_SECONDS")
    # Retention: unanswered questions (stored without user ids) and per-recipient outcomes of
    # finished broadcasts are purged after this many days (daily, and at start-up).
    question_retention_days: int = Field(default=90, ge=1, le=3650, alias="QUESTION_RETENTION_DAYS")
    outcome_retention_days: int = Field(default=30, ge=1, le=3650, alias="OUTCOME_RETENTION_DAYS")
    # Two-person rule: an announcement from Telegram to more recipients than this needs a
    # second official's approval (empty = off; the server CLI is not subject to it).
    approval_threshold: int | None = Field(default=None, ge=0, alias="APPROVAL_THRESHOLD")
    # Webhook mode (python -m bot run --webhook) and the HTTP endpoints (/livez, /readyz, /metrics).
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(default=None, alias="WEBHOOK_SECRET")
    webhook_listen: str = Field(default="127.0.0.1", alias="WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, ge=1, le=65535, alias="WEBHOOK_PORT")
    # When polling, /livez, /healthz, /readyz and /metrics listen here (0 = not served).
    health_port: int = Field(default=8080, ge=0, le=65535, alias="HEALTH_PORT")
    # Cached content embeddings; default: a cache/ folder beside the database.
    cache_dir: Path | None = Field(default=None, alias="CACHE_DIR")

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not TOKEN_RE.match(value.strip()):
            # Never include the value: a near-miss token is still a secret.
            raise ValueError("must look like 123456789:AA... (the token BotFather gave you)")
        return value.strip()

    @field_validator("database_url", mode="before")
    @classmethod
    def _database_url(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not is_postgres_url(value.strip()):
            raise ValueError("must be postgresql://user:password@host:5432/database")
        return value.strip()

    @property
    def database(self) -> str:
        """What open_database opens: DATABASE_URL when set, else the DATABASE_PATH file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return str(self.database_path)

    @property
    def on_postgres(self) -> bool:
        return self.database_url is not None

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not HTTP_URL.match(value.strip()):
            raise ValueError("must be the public https URL Telegram calls, e.g. "
                             "https://bot.example.org/telegram")
        return value.strip()

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not HTTP_URL.match(value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        path = urlsplit(value).path
        # The bot calls {root}/bot{token}/method: a path with /bot... is a URL with the token
        # in it (or a double /bot), which would then be printed wherever the URL is.
        if any(part.lower().startswith("bot") for part in path.split("/")):
            raise ValueError("give the server root, without /bot or the token (the bot adds "
                             "/bot<token> itself), e.g. https://api.telegram.org")
        if "?" in value or "#" in value:
            raise ValueError("give the server root, without a query or fragment")
        return value

    @field_validator("approval_threshold", mode="before")
    @classmethod
    def _empty_is_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            ids = []
            for part in parts:
                if not re.fullmatch(r"\d{1,20}", part):
                    raise ValueError(f"must be comma-separated Telegram user ids, got {part!r}")
                ids.append(int(part))
            return tuple(ids)
        return value

    @field_validator("timezone")
    @classmethod
    def _tz_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Asia/Jakarta)") from exc
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_shape(cls, value: str) -> str:
        value = value.strip()
        if value and not QUIET_RE.match(value):
            raise ValueError("must look like 21:00-06:00 (HH:MM-HH:MM), or be empty to disable")
        return value

    @model_validator(mode="after")
    def _rate_within_limits(self) -> Settings:
        if self.broadcast_rate > 30 and not self.paid_broadcast:
            raise ValueError("BROADCAST_RATE above 30 needs PAID_BROADCAST=true (Telegram allows "
                             "about 30 messages/s for free)")
        return self

    @property
    def quiet_window(self) -> tuple[time, time] | None:
        if not self.quiet_hours:
            return None
        start, end = self.quiet_hours.split("-")
        return (time.fromisoformat(start), time.fromisoformat(end))

    @property
    def cache_path(self) -> Path:
        return self.cache_dir or Path(self.database_path).parent / "cache"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def token(self) -> str:
        if self.bot_token is None:
            raise SettingsError(
                "BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env"
            )
        return self.bot_token.get_secret_value()


_NAMES = [field.alias or name for name, field in Settings.model_fields.items()]


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and `.env`; raise SettingsError with one clear line."""
    try:
        for warning in check_env_file(Path(".env"), _NAMES):     # one line each, on stderr
            print(warning, file=sys.stderr)
    except EnvFileError as exc:
        raise SettingsError(str(exc)) from None
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        if not first["loc"]:  # a rule across settings names them in its message
            raise SettingsError(f"Invalid settings: {first['msg'].removeprefix('Value error, ')}") from None
        field = str(first["loc"][0])
        name = Settings.model_fields[field].alias if field in Settings.model_fields else field
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {(name or field).upper()}: {message}") from None
    # Never printed or logged from here on: every `error:` line and log line is redacted.
    masking.register([settings.bot_token.get_secret_value() if settings.bot_token else None,
                      settings.webhook_secret.get_secret_value() if settings.webhook_secret
                      else None],
                     url_secrets(settings.database) if settings.on_postgres else [])
    return settings
