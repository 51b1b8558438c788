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


PG_SECRET = "S3cretPw-in-the-query"
CLOSED_PG = f"postgresql://127.0.0.1:9/suara?user=suara&password={PG_SECRET}"


@pytest.mark.parametrize("command", [("db", "migrate"), ("tps", "export"),
                                     ("broadcast", "list")])
def test_commands_on_an_unreachable_database_never_show_its_password(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    result = run(*command, cwd=tmp_path, env={"DATABASE_URL": CLOSED_PG})
    assert result.returncode == 2, result.stderr
    assert PG_SECRET not in result.stdout + result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and line.endswith(
        "OperationalError: cannot connect to PostgreSQL at "
        "postgresql://127.0.0.1:9/suara?user=suara&password=***: ConnectionRefusedError")


def test_db_copy_never_shows_a_password_in_the_query(tmp_path: Path) -> None:
    target = f"postgresql://u@127.0.0.1:9/x?PASSWORD={PG_SECRET}&sslpassword=K3y-passphrase"
    result = run("db", "copy", "--to", target, "--from", str(tmp_path / "none.sqlite3"),
                 cwd=tmp_path)
    shown = result.stdout + result.stderr
    assert PG_SECRET not in shown and "K3y-passphrase" not in shown
    assert "?PASSWORD=***&sslpassword=***" in shown


async def test_run_on_an_unreachable_database_never_shows_its_password(tmp_path: Path) -> None:
    import asyncio
    import subprocess
    import sys

    from tests.fakes.process import bot_env
    from tests.fakes.server import FakeBotApiServer

    server = FakeBotApiServer(TOKEN)
    await server.start()
    try:
        server.accept_polls()
        env = bot_env(server, tmp_path, DATABASE_URL=CLOSED_PG)
        done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot", "run"],
                                       cwd=tmp_path, env=env, capture_output=True, text=True,
                                       timeout=60)
    finally:
        await server.stop()
    assert done.returncode == 2
    assert PG_SECRET not in done.stdout + done.stderr
    assert "password=***" in done.stderr and "Traceback" not in done.stderr


def test_a_password_that_is_a_word_masks_only_that_word(monkeypatch: pytest.MonkeyPatch) -> None:
    # compose.yaml's POSTGRES_PASSWORD may well be "postgres": the scheme and the driver's
    # name stay readable; a URL without a password shows none; text that is no URL stays.
    monkeypatch.setattr(masking, "_words", set())
    masking.register([], ["postgres"])
    line = "cannot connect to postgresql://suara:postgres@db:5432/suara (asyncpg/postgres)"
    assert masking.redact(line) == ("cannot connect to postgresql://suara:***@db:5432/suara"
                                    " (asyncpg/<redacted>)")
    assert masking.redact("see https://user@host/p") == "see https://user@host/p"
    assert masking.redact("see http://[::1 x") == "see http://[::1 x"
