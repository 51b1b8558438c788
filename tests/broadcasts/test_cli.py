"""`python -m bot broadcast ...` and `schedule preview` as an operator uses them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.test_cli import run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    settings = {"DATABASE_PATH": str(tmp_path / "b.sqlite3")}
    # operator commands refuse a database that is not there (a mistyped path): made first
    assert run("db", "migrate", cwd=tmp_path, env=settings).returncode == 0
    return settings


def count_broadcasts(env: dict[str, str]) -> int:
    path = Path(env["DATABASE_PATH"])
    if not path.exists():
        return 0
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM broadcasts").fetchone()[0])


@pytest.mark.parametrize(("args", "message"), [
    (["--text", "   "], "error: --text is empty"),
    (["--text", "x" * 5000], "error: --text is 5000 characters; Telegram allows 4096"),
    (["--template", "nope"], "error: --template 'nope' is not in content/schedule.yaml"),
    (["--text", "x", "--region", "99.01.99"], "error: --region '99.01.99' is not a kecamatan"),
    (["--text", "x", "--topic", "gossip"], "error: --topic 'gossip' is not one of"),
    (["--text", "x", "--at", "2024-01-01 10:00"],
     "error: --at 2024-01-01 10:00 (Asia/Jakarta) is in the past"),
    (["--text", "x", "--at", "besok pagi"], "error: --at 'besok pagi' is not a date and time"),
    # An unset shell variable ("--region $KEC") must never widen the audience to everyone,
    # nor an empty --at send at once what was meant for later.
    (["--text", "x", "--region", ""], "error: --region is empty (an unset variable?)"),
    (["--text", "x", "--region", "  "], "error: --region is empty (an unset variable?)"),
    (["--text", "x", "--topic", ""], "error: --topic '' is not one of"),
    (["--text", "x", "--at", ""], "error: --at '' is not a date and time"),
])
def test_send_errors_are_precise_and_create_nothing(tmp_path: Path, env: dict[str, str],
                                                    args: list[str], message: str) -> None:
    result = run("broadcast", "send", *args, cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert count_broadcasts(env) == 0


def test_argument_errors(tmp_path: Path, env: dict[str, str]) -> None:
    both = run("broadcast", "send", "--text", "a", "--template", "countdown", cwd=tmp_path, env=env)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    lang = run("broadcast", "send", "--text", "a", "--lang", "fr", cwd=tmp_path, env=env)
    assert lang.returncode == 2 and "invalid choice" in lang.stderr
    assert count_broadcasts(env) == 0


@pytest.mark.parametrize("action", ["status", "pause", "resume", "cancel"])
def test_an_id_past_64_bits_is_an_unknown_broadcast(tmp_path: Path, env: dict[str, str],
                                                    action: str) -> None:
    """Not an OverflowError's traceback: the one line an unknown id gets."""
    huge = run("broadcast", action, "99999999999999999999", cwd=tmp_path, env=env)
    assert (huge.returncode, huge.stderr) == (2, "error: no broadcast 99999999999999999999\n")
    word = run("broadcast", action, "satu", cwd=tmp_path, env=env)
    assert word.returncode == 2 and word.stderr.startswith("error: 'satu' is not a broadcast id")


def test_send_list_status_and_control(tmp_path: Path, env: dict[str, str]) -> None:
    sent = run("broadcast", "send", "--text", "Rapat <b>warga</b> & doa", "--region", "99.01.01",
               "--lang", "id", "--at", "2099-01-01 08:00", "--urgent", cwd=tmp_path, env=env)
    assert sent.returncode == 0, sent.stderr
    assert "broadcast 1 created: 0 subscribers match" in sent.stdout
    assert "starts 2099-01-01 08:00 WIB" in sent.stdout
    with sqlite3.connect(env["DATABASE_PATH"]) as conn:
        text, urgent, not_before = conn.execute(
            "SELECT text, urgent, not_before FROM broadcasts").fetchone()
    assert text == "Rapat &lt;b&gt;warga&lt;/b&gt; &amp; doa" and urgent == 1
    assert not_before.startswith("2099-01-01T01:00")  # stored in UTC
    listed = run("broadcast", "list", cwd=tmp_path, env=env)
    assert "1  scheduled" in listed.stdout and "region 99.01.01, lang id; URGENT" in listed.stdout
    status = run("broadcast", "status", "1", cwd=tmp_path, env=env)
    assert "broadcast 1: scheduled; 0 recipients" in status.stdout
    assert run("broadcast", "pause", "1", cwd=tmp_path, env=env).stdout.strip() == \
        "broadcast 1: scheduled -> paused"
    assert "paused -> scheduled" in run("broadcast", "resume", "1", cwd=tmp_path, env=env).stdout
    assert "-> cancelled" in run("broadcast", "cancel", "1", cwd=tmp_path, env=env).stdout
    again = run("broadcast", "resume", "1", cwd=tmp_path, env=env)
    assert again.returncode == 2 and "broadcast 1 is cancelled; cannot resume it" in again.stderr
    missing = run("broadcast", "status", "7", cwd=tmp_path, env=env)
    assert missing.returncode == 2 and "no broadcast 7" in missing.stderr
    # The server CLI is not under the two-person rule, but every action is audited as `cli`.
    with sqlite3.connect(env["DATABASE_PATH"]) as conn:
        audit = conn.execute("SELECT actor, action, count FROM audit_log ORDER BY id").fetchall()
    assert audit == [("cli", "broadcast.create", 0), ("cli", "broadcast.pause", None),
                     ("cli", "broadcast.resume", None), ("cli", "broadcast.cancel", None)]


def test_schedule_preview(tmp_path: Path, env: dict[str, str]) -> None:
    result = run("schedule", "preview", "--from", "2029-03-13", "--to", "2029-03-14",
                 cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2 scheduled send(s) from 2029-03-13 to 2029-03-14" in out
    assert "== Tue 2029-03-13 18:00 countdown:h1" in out and "1 hari lagi" in out and "1 day to go" in out
    assert "== Wed 2029-03-14 06:30 countdown:hari_h" in out and "Voting day is today" in out
    bad = run("schedule", "preview", "--from", "kemarin", "--to", "2029-03-14", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and "must be dates" in bad.stderr
