"""Typed settings, read once from the environment and `.env`, validated at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import PROJECT_ROOT

TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and never echoes secrets."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = Field(default=None, alias="BOT_TOKEN")
    telegram_api_url: str = Field(default="https://api.telegram.org", alias="TELEGRAM_API_URL")
    database_path: Path = Field(default=Path("data/suara.db"), alias="DATABASE_PATH")
    admin_ids: Annotated[tuple[int, ...], NoDecode] = Field(default=(), alias="ADMIN_IDS")
    timezone: str = Field(default="Asia/Jakarta", alias="TIMEZONE")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", alias="LOG_LEVEL"
    )
    content_dir: Path = Field(default=PROJECT_ROOT / "content", alias="CONTENT_DIR")

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not TOKEN_RE.match(value.strip()):
            # Never include the value: a near-miss token is still a secret.
            raise ValueError("must look like 123456789:AA... (the token BotFather gave you)")
        return value.strip()

    @field_validator("telegram_api_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^\s/]+(/[^\s]*)?$", value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        if value.endswith("/bot"):
            raise ValueError("give the server root, without /bot (the token is added for you)")
        return value

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


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and `.env`; raise SettingsError with one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        name = Settings.model_fields[field].alias if field in Settings.model_fields else field
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {(name or field).upper()}: {message}") from None
