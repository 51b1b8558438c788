"""The command line as an operator uses it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bot import PROJECT_ROOT
from tests.conftest import FIXTURE_CONTENT


def run(*args: str, cwd: Path, env: dict[str, str] | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m bot ...` as a process, on the fixture content unless `env` names another."""
    full_env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT),
                "CONTENT_DIR": str(FIXTURE_CONTENT), **(env or {})}
    for name in ("BOT_TOKEN", "DATABASE_PATH"):
        if env is None or name not in env:
            full_env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=full_env,
                          input=stdin, capture_output=True, text=True, timeout=60)


def test_check_accepts_bundled_content(tmp_path: Path) -> None:
    # The default CONTENT_DIR is the bundled content (a content test: it counts its entries).
    result = subprocess.run([sys.executable, "-m", "bot", "check"], cwd=tmp_path, timeout=60,
                            env={k: v for k, v in os.environ.items() if k != "CONTENT_DIR"}
                            | {"PYTHONPATH": str(PROJECT_ROOT)}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "content OK" in result.stdout
    assert int(re.search(r"(\d+) FAQ entries", result.stdout).group(1)) >= 35  # type: ignore[union-attr]


def test_check_refuses_broken_content_with_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, broken)
    faq = broken / "faq" / "1_contoh.yaml"
    faq.write_text(faq.read_text().replace("    topic: hari_h\n", "    topic: hari_h\n    colr: 1\n", 1))
    result = run("check", "--content", str(broken), cwd=tmp_path)
    assert result.returncode == 1
    assert "1_contoh.yaml:" in result.stderr and "colr" in result.stderr


def test_run_without_token_names_the_setting(tmp_path: Path) -> None:
    result = run("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env"]


def test_run_with_malformed_setting_is_one_line(tmp_path: Path) -> None:
    result = run("run", cwd=tmp_path, env={"BOT_TOKEN": "123:abc", "TIMEZONE": "Mars/Base"})
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "BOT_TOKEN" in result.stderr and "abc" not in result.stderr


def test_shell_holds_a_conversation_without_token(tmp_path: Path) -> None:
    script = "kpn tps buka\n1\n/bahasa\n2\nwhat should i bring\n/quit\n"
    result = run("shell", cwd=tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Halo, Warga!" in out
    assert "Jam buka TPS" in out
    assert "Language set to English" in out
    assert "What should I bring to the TPS?" in out
    assert "Bot API refused" not in out
    assert "still training" not in out        # the model answered, not the keywords
    assert (tmp_path / "data" / "shell.sqlite3").exists()


def test_run_with_a_broken_dotenv_line_names_it(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text('BOT_TOKEN="123456789:AAH-quote-left-open-token-xyz\nLOG_LEVL=DEBUG\n')
    result = run("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: .env line 1: BOT_TOKEN=... cannot be read (a quote left open, or not NAME=value)"]


def test_run_against_a_closed_bot_api_is_one_logged_line_and_one_error(tmp_path: Path) -> None:
    env = {"BOT_TOKEN": "123456789:AAH-closed-api-token-for-the-tests", "HEALTH_PORT": "0",
           "TELEGRAM_API_URL": "http://127.0.0.1:9"}
    result = run("run", cwd=tmp_path, env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr and "Unclosed client session" not in result.stderr
    assert lines[-1] == ("error: cannot reach TELEGRAM_API_URL http://127.0.0.1:9: "
                         "ClientConnectorError talking to the Bot API")
    assert len(lines) == 3 and lines[1].endswith(
        "Aborting. (NetworkError: ClientConnectorError talking to the Bot API)")
    debug = run("run", cwd=tmp_path, env={**env, "LOG_LEVEL": "DEBUG"})
    assert "Traceback" in debug.stderr and "Unclosed client session" not in debug.stderr
