"""Logging that never shows the bot token or what citizens wrote.

- The token is redacted from every formatted line, tracebacks included (PTB's InvalidToken
  message quotes the token).
- httpx would log every request URL, and Bot API URLs carry the token: kept at WARNING.
- PTB logs whole updates and API parameters (names, message text) at DEBUG: its loggers stay
  at INFO or above whatever LOG_LEVEL says; LOG_LEVEL=DEBUG is for Suara's own code.
- LOG_FORMAT=json: one JSON object per line (time, level, logger, message, exception), for log
  collectors; redacted the same way, after the JSON is built.
- PTB also logs at CRITICAL, with the whole batch of raw updates (names, message text), when it
  cannot parse what getUpdates returned (an update from a Bot API version it does not know), and
  an update's text when building its context fails. A filter on PTB's loggers replaces such
  arguments with their update ids, and an exception's message (which may quote a value) with
  its type and traceback; Telegram's own error messages stay.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Any

from telegram import TelegramObject, Update
from telegram.error import TelegramError

from bot import masking

QUIET_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.WARNING,
                 "apscheduler": logging.WARNING, "aiosqlite": logging.INFO, "asyncpg": logging.WARNING,
                 "telegram": logging.INFO}


# The loggers PTB's code writes to (telegram/_utils/logging.py names them after the module).
PTB_LOGGERS = ("telegram", "telegram.Bot", "telegram.ext", "telegram.ext.ExtBot",
               "telegram.ext.Updater", "telegram.ext.Application", "telegram.ext.JobQueue",
               "telegram.ext.ConversationHandler", "telegram.ext.AIORateLimiter",
               "telegram.request.BaseRequest", "telegram.request.HTTPXRequest")


def _withheld(value: Any) -> Any:
    """A log argument as it may be shown: numbers and PTB's own words as they are; updates,
    raw payloads and exceptions only by id or type."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Update):
        return f"<update {value.update_id}>"
    if isinstance(value, TelegramObject):
        return f"<{type(value).__name__}>"
    if isinstance(value, BaseException):
        return repr(value) if isinstance(value, TelegramError) else f"<{type(value).__name__}>"
    if isinstance(value, list | tuple):
        ids = [v.get("update_id") if isinstance(v, dict) else getattr(v, "update_id", None)
               for v in value]
        return f"<{len(value)} updates, ids {ids}; content not logged>" if ids and all(
            isinstance(i, int) for i in ids) else f"<{len(value)} items; content not logged>"
    return f"<{type(value).__name__}; content not logged>"


def _traceback_without_messages(error: BaseException) -> str:
    """Where it failed and what kind of error it was, without the error's message (which can
    quote the value that failed, a citizen's words)."""
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_tb(error.__traceback__)
    lines.append(f"{type(error).__module__}.{type(error).__qualname__}: (message not logged)")
    return "".join(lines).rstrip()


def _one_line_abort(record: logging.LogRecord) -> None:
    """PTB's network retry loop logs its giving up (the Bot API unreachable at start) with
    the whole traceback, some 60 lines before the command's own one-line error: one line,
    with the error's type and Telegram's words; the traceback only at LOG_LEVEL=DEBUG."""
    error = record.exc_info[1] if record.exc_info else None
    if error is None or logging.getLogger().isEnabledFor(logging.DEBUG) \
            or not record.getMessage().startswith("Network Retry Loop"):
        return
    said = f": {error}" if isinstance(error, TelegramError) else ""
    record.msg, record.args = f"{record.getMessage()} ({type(error).__name__}{said})", None
    record.exc_info = record.exc_text = None


class HideUpdatePayloads(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _one_line_abort(record)
        if not isinstance(record.msg, str):
            record.msg = str(_withheld(record.msg))
        if isinstance(record.args, dict):
            record.args = {k: _withheld(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_withheld(a) for a in record.args)
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and not isinstance(error, TelegramError):
            record.exc_info, record.exc_text = None, _traceback_without_messages(error)
        return True


def hide_update_payloads() -> None:
    """Install the filter on PTB's loggers (once; setup_logging does)."""
    for name in PTB_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideUpdatePayloads) for f in logger.filters):
            logger.addFilter(HideUpdatePayloads())


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        # The whole token, and its secret half on its own; with those of the settings loaded.
        self.secrets = masking.secret_parts(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        """The same redaction as the command line's error lines (bot/masking.py): secrets,
        and passwords in any URL."""
        return masking.redact(text, self.secrets)


class JsonFormatter(RedactingFormatter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return self.redact(json.dumps(entry, ensure_ascii=False))


def setup_logging(level: str, secrets: list[str] | None = None, fmt: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(secrets or []) if fmt == "json" else RedactingFormatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    hide_update_payloads()
    root.setLevel(level)
    numeric = logging.getLevelName(level)
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, numeric if isinstance(numeric, int) else 0))
