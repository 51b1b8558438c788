"""The command line as an operator uses it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from tests.conftest import FIXTURE_CONTENT, FIXTURE_TPS


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


# ---- the database path and ports: one line naming the setting, never a traceback ----------


def test_database_path_mistakes_are_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    cases = [(str(tmp_path), "is a directory"), (str(a_file / "x/suara.db"), "does not exist"),
             ("", "is empty")]
    for path, said in cases:
        for command in (["broadcast", "list"], ["tps", "export"], ["questions", "export"],
                        ["backup", str(tmp_path / "b.db")],
                        ["schedule", "preview", "--from", "2029-03-01", "--to", "2029-03-02"]):
            result = run(*command, cwd=tmp_path, env={"DATABASE_PATH": path})
            assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
            assert result.stderr.startswith("error: DATABASE_PATH") and said in result.stderr
            assert len(result.stderr.splitlines()) == 1, result.stderr
    migrate = run("db", "migrate", cwd=tmp_path, env={"DATABASE_PATH": str(a_file / "x/s.db")})
    assert migrate.stderr == (f"error: DATABASE_PATH {a_file} is a file, so {a_file}/x/s.db "
                              "cannot be created under it\n")
    shell = run("shell", "--db", str(tmp_path), cwd=tmp_path, stdin="")
    assert shell.stderr == f"error: --db {tmp_path} is a directory, not a database file\n"


def test_operator_commands_never_create_a_mistyped_database(tmp_path: Path) -> None:
    typo = tmp_path / "typo" / "suaar.db"
    env = {"DATABASE_PATH": str(typo)}
    for command in (["broadcast", "send", "--text", "hi"], ["tps", "import", str(FIXTURE_TPS)]):
        result = run(*command, cwd=tmp_path, env=env)
        assert result.returncode == 2 and "does not exist (a mistyped path?)" in result.stderr
        assert "db migrate" in result.stderr and not typo.exists()
    assert run("db", "migrate", cwd=tmp_path, env=env).returncode == 0 and typo.exists()


def test_a_port_in_use_and_bad_targets_are_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("run", cwd=tmp_path, env={"BOT_TOKEN": "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                               "DATABASE_PATH": str(tmp_path / "s.db"),
                                               "HEALTH_PORT": str(port)})
    assert result.stderr == (f"error: HEALTH_PORT {port} is in use on 127.0.0.1 (another bot or "
                             "program): stop it or choose another port\n")
    env = {"DATABASE_PATH": str(tmp_path / "s.db")}
    run("db", "migrate", cwd=tmp_path, env=env)
    for target, said in ((tmp_path, "is a directory"), (tmp_path / "no/y.csv", "does not exist")):
        result = run("tps", "export", str(target), cwd=tmp_path, env=env)
        assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr
    a_file = tmp_path / "file"
    a_file.write_text("x")
    init = run("content", "init", str(a_file), cwd=tmp_path)
    assert init.stderr == f"error: {a_file} is a file: content init copies into a new or empty folder\n"


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


# ---- settings: loaded once a command, in main, and passed to it ------------------------------


def test_each_command_loads_its_settings_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Every command's settings are read (and `.env` checked) once, by main; `.env`'s
    warnings are printed once, the command's own lines as before."""
    import bot.settings
    from bot.__main__ import main

    (tmp_path / ".env").write_text("LOG_LEVL=DEBUG\n")
    monkeypatch.setenv("CONTENT_DIR", str(FIXTURE_CONTENT))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "s.db"))
    monkeypatch.setenv("HEALTH_PORT", "0")
    check_env_file, loads = bot.settings.check_env_file, []

    def counting(*args: object) -> list[str]:
        loads.append(args)
        return check_env_file(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.settings, "check_env_file", counting)
    warning = ("warning: .env line 1: LOG_LEVL is not a setting and is ignored; did you mean "
               "LOG_LEVEL?")
    for command, code, said in (
            (["db", "migrate"], 0, "schema up to date"),
            (["backup", str(tmp_path / "copy.db")], 0, "backed up"),
            (["tps", "export"], 0, "kode_wilayah"),
            (["broadcast", "list"], 0, ""),
            (["check"], 0, "content OK"),
            (["content", "reload"], 0, "no bot is running"),
            (["run"], 2, "error: BOT_TOKEN is not set"),
            (["check", "--content", str(FIXTURE_CONTENT)], 0, "content OK")):
        loads.clear()
        assert main(command) == code, (command, capsys.readouterr())
        out, err = capsys.readouterr()
        assert said in out + err, (command, out, err)
        expected = 0 if "--content" in command else 1
        assert len(loads) == expected, command
        assert err.count(warning) == expected, (command, err)
