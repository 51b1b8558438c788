"""Logs: one JSON object per line with LOG_FORMAT=json; the token and citizens' words never
appear, in either format."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.logging_setup import JsonFormatter, hide_update_payloads
from tests.fakes import updates
from tests.fakes.harness import Harness
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


SECRET_NAME, SECRET_TEXT = "Sumiati", "tetangga saya Bu Sumiati boleh nyoblos dua kali"


def unreadable_update(chat_id: int) -> dict[str, Any]:
    """A message PTB cannot parse (its date is not a number), as a newer Bot API might send."""
    person = {"id": chat_id, "is_bot": False, "first_name": SECRET_NAME}
    return {"message_id": 1, "date": "kemarin", "text": SECRET_TEXT, "from": person,
            "chat": {"id": chat_id, "type": "private", "first_name": SECRET_NAME}}


async def test_a_batch_ptb_cannot_parse_is_logged_without_names_or_text(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    hide_update_payloads()
    api = harness.api
    api.new_update(message=updates.message(api, "kapan tps buka", updates.user(4243)))
    bad = api.new_update(message=unreadable_update(4244))
    with caplog.at_level(logging.DEBUG), pytest.raises(TypeError):
        await harness.app.bot.get_updates()
    [record] = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert record.name.startswith("telegram")
    assert str(bad["update_id"]) in caplog.text and "TypeError" in caplog.text
    assert SECRET_NAME not in caplog.text and "tetangga" not in caplog.text
    # Building a context can fail too: PTB then logs the update itself; and an exception's
    # message (it may quote the value that failed) is left out, its traceback kept.
    update = Update.de_json(api.new_update(message=updates.message(
        api, SECRET_TEXT, updates.user(4245, first_name=SECRET_NAME))), harness.app.bot)
    caplog.clear()
    try:
        raise ValueError(f"invalid literal: {SECRET_TEXT!r}")
    except ValueError as exc:
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("telegram.ext.Application").critical(
                "Error while building CallbackContext for update %s. Update will not be "
                "processed.", update, exc_info=exc)
    assert "update" in caplog.text and "test_logging.py" in caplog.text
    assert SECRET_NAME not in caplog.text and "tetangga" not in caplog.text
    line = JsonFormatter([]).format(caplog.records[0])
    assert "ValueError" in json.loads(line)["exception"] and SECRET_NAME not in line


async def test_the_running_bot_skips_an_unreadable_update_and_never_logs_its_words(
        tmp_path: Path) -> None:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    log_path = tmp_path / "bot.log"
    try:
        env = bot_env(server, tmp_path, LOG_LEVEL="DEBUG", SEMANTIC_THREADS="0")
        process = await start_bot(server, env, tmp_path, log=log_path)
        start = len(server.calls)
        server.push(message=unreadable_update(4246))
        server.push(message=updates.message(server.api, "jam brp tps buka", updates.user(4247)))
        # The batch moves on: the readable update behind it is answered.
        answered = await server.wait_for(lambda c: c.method == "sendMessage", start=start)
        assert answered.params["chat_id"] == 4247
        assert await stop_bot(process, server) == 0
    finally:
        await server.stop()
    text = log_path.read_text(encoding="utf-8")
    assert "could not be read (TypeError)" in text
    assert SECRET_NAME not in text and "tetangga" not in text
