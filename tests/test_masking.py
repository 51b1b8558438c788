"""Every `error:` line the command line prints is redacted as the logs are: the token, the
webhook secret, passwords in URLs (bot/masking.py; the review's findings)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import masking
from bot.logging_setup import RedactingFormatter
from bot.operations import _fail
from bot.settings import load_settings
from tests.test_cli import run

TOKEN = "123456789:AAH-masking-secret-part-of-the-token"
SECRET = "webhook-secret-value-42"


def test_error_lines_hide_the_settings_secrets(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    load_settings()
    assert _fail(f"cannot reach http://h/x/bot{TOKEN}/getMe; secret {SECRET}") == 2
    err = capsys.readouterr().err
    assert err == "error: cannot reach http://h/x/bot<redacted>/getMe; secret <redacted>\n"


def test_error_lines_and_logs_hide_url_passwords(capsys: pytest.CaptureFixture[str]) -> None:
    _fail("cannot connect to postgresql://suara:pw-in-url@db:5432/x: refused")
    assert capsys.readouterr().err == "error: cannot connect to postgresql://suara:***@db:5432/x: refused\n"
    record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "at %s", ("http://u:pw-in-log@h/",), None)
    assert "pw-in-log" not in RedactingFormatter("%(message)s", []).format(record)


def test_short_values_are_not_treated_as_secrets() -> None:
    masking.register(["abc", None, ""])
    assert masking.redact("abc def") == "abc def"


def test_run_never_prints_the_token_of_a_url_it_cannot_reach(tmp_path: Path) -> None:
    # A relay whose path carries the token (allowed: no /bot segment) still never shows it.
    result = run("run", cwd=tmp_path, env={"BOT_TOKEN": TOKEN, "HEALTH_PORT": "0",
                                           "TELEGRAM_API_URL": f"http://127.0.0.1:9/relay/{TOKEN}"})
    assert result.returncode == 1
    assert TOKEN.split(":")[1] not in result.stdout + result.stderr
    assert "error: cannot reach TELEGRAM_API_URL http://127.0.0.1:9/relay/<redacted>" in result.stderr


def test_run_refuses_an_api_url_with_the_token_in_one_line(tmp_path: Path) -> None:
    result = run("run", cwd=tmp_path, env={"BOT_TOKEN": TOKEN,
                                           "TELEGRAM_API_URL": f"http://127.0.0.1:9/bot{TOKEN}"})
    assert result.returncode == 2
    assert result.stderr.startswith("error: Invalid setting TELEGRAM_API_URL: give the server root")
    assert len(result.stderr.strip().splitlines()) == 1
    assert TOKEN.split(":")[1] not in result.stdout + result.stderr
