"""Logs: one JSON object per line with LOG_FORMAT=json; the token and citizens' words never
appear, in either format."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from bot.logging_setup import JsonFormatter
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer

TOKEN = "515151:JSON-log-secret-token-value-for-tests"


def test_a_json_line_carries_the_record_and_never_the_token() -> None:
    formatter = JsonFormatter([TOKEN])
    try:
        raise ValueError(f"bad url https://api.example/bot{TOKEN}/getMe")
    except ValueError:
        import sys

        record = logging.LogRecord("bot.x", logging.ERROR, __file__, 1, "failed: %s",
                                   (f"token {TOKEN}",), sys.exc_info())
    line = formatter.format(record)
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.x"
    assert entry["message"] == "failed: token <redacted>"
    assert "ValueError" in entry["exception"] and "\n" not in line
    assert TOKEN not in line and TOKEN.split(":")[1] not in line


async def test_the_running_bot_logs_json_lines_without_secrets(tmp_path: Path) -> None:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    log_path = tmp_path / "bot.log"
    try:
        env = bot_env(server, tmp_path, LOG_LEVEL="DEBUG", LOG_FORMAT="json",
                      SEMANTIC_THREADS="0")
        process = await start_bot(server, env, tmp_path, log=log_path)
        start = len(server.calls)
        secret_question = "apakah tetangga saya Bu Sumiati boleh nyoblos"
        server.push(message=updates.message(server.api, secret_question, updates.user(4242)))
        await server.wait_for(lambda c: c.method == "sendMessage", start=start)
        assert await stop_bot(process, server) == 0
    finally:
        await server.stop()
    lines = [line for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines
    entries = [json.loads(line) for line in lines]        # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    text = log_path.read_text(encoding="utf-8")
    assert TOKEN.split(":")[1] not in text and "Sumiati" not in text
