"""Logging that never shows the bot token or what citizens wrote.

- The token is redacted from every formatted line, tracebacks included (PTB's InvalidToken
  message quotes the token).
- httpx would log every request URL, and Bot API URLs carry the token: kept at WARNING.
- PTB logs whole updates and API parameters (names, message text) at DEBUG: its loggers stay
  at INFO or above whatever LOG_LEVEL says; LOG_LEVEL=DEBUG is for Suara's own code.
- LOG_FORMAT=json: one JSON object per line (time, level, logger, message, exception), for log
  collectors; redacted the same way, after the JSON is built.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

QUIET_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.WARNING,
                 "apscheduler": logging.WARNING, "aiosqlite": logging.INFO,
                 "telegram": logging.INFO}


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        # The whole token, and its secret half on its own.
        parts = {s for s in secrets if s} | {s.split(":", 1)[1] for s in secrets if ":" in s}
        self.secrets = sorted((p for p in parts if len(p) >= 8), key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return text


class JsonFormatter(RedactingFormatter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return self.redact(json.dumps(entry, ensure_ascii=False))


def setup_logging(level: str, secrets: list[str] | None = None, fmt: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(secrets or []) if fmt == "json" else RedactingFormatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    numeric = logging.getLevelName(level)
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, numeric if isinstance(numeric, int) else 0))
