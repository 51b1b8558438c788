"""Backup while the bot writes; restore refused while a bot holds the database, and then
replaces it whole; a file that is not a Suara database is refused with the reason."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import open_database
from bot.storage.backup import BackupError, RunLock, backup, restore
from bot.storage.users import count_users, touch_user
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer

NOW = datetime(2025, 1, 1, tzinfo=UTC)


async def test_a_backup_taken_during_writes_is_consistent(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "live.sqlite3")
    try:
        for uid in range(200):
            await touch_user(db, uid, "id", NOW)

        async def keep_writing() -> None:
            for uid in range(200, 2200):
                await touch_user(db, uid, "id", NOW)

        writer = asyncio.create_task(keep_writing())
        await asyncio.sleep(0.01)
        size = await asyncio.to_thread(backup, Path(db.path), tmp_path / "copy.sqlite3")
        await writer
        assert size > 0
        copy = await open_database(tmp_path / "copy.sqlite3")
        try:
            assert 200 <= await count_users(copy) <= 2200     # a snapshot, whole
        finally:
            await copy.close()
        with pytest.raises(BackupError, match="exists"):
            backup(Path(db.path), tmp_path / "copy.sqlite3")
    finally:
        await db.close()


async def test_restore_is_refused_while_a_bot_holds_the_database(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    db = await open_database(live)
    await touch_user(db, 1, "id", NOW)
    await db.close()
    backup(live, tmp_path / "b.sqlite3")
    db = await open_database(live)
    await touch_user(db, 2, "id", NOW)
    await db.close()
    lock = RunLock(live)
    assert lock.acquire()
    try:
        with pytest.raises(BackupError, match="in use by a running bot"):
            restore(tmp_path / "b.sqlite3", live)
    finally:
        lock.release()
    assert restore(tmp_path / "b.sqlite3", live) >= 1
    db = await open_database(live)
    try:
        assert await count_users(db) == 1                  # the backup's state, whole
    finally:
        await db.close()
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a readable SQLite database"):
        restore(junk, live)


TOKEN = "616161:BACKUP-secret-token-for-tests"


def cli(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env,
                          text=True, capture_output=True, timeout=60)


async def test_backup_and_restore_through_the_command_line_beside_a_running_bot(
        tmp_path: Path) -> None:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    env = bot_env(server, tmp_path, SEMANTIC_THREADS="0")
    process = await start_bot(server, env, tmp_path)
    try:
        start = len(server.calls)
        server.push(message=updates.message(server.api, "/start", updates.user(9001)))
        await server.wait_for(lambda c: c.method == "sendMessage", start=start)
        made = await asyncio.to_thread(cli, tmp_path, env, "backup", str(tmp_path / "b.db"))
        assert made.returncode == 0, made.stderr
        refused = await asyncio.to_thread(cli, tmp_path, env, "restore", str(tmp_path / "b.db"))
        assert refused.returncode == 2 and "in use by a running bot" in refused.stderr
    finally:
        assert await stop_bot(process, server) == 0
        await server.stop()
    os.remove(env["DATABASE_PATH"])
    restored = cli(tmp_path, env, "restore", str(tmp_path / "b.db"))
    assert restored.returncode == 0, restored.stderr
    db = await open_database(env["DATABASE_PATH"])
    try:
        assert await count_users(db) == 1
    finally:
        await db.close()
