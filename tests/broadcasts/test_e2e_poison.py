"""A broadcast that cannot be sent never holds back the ones after it (python -m bot run)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from tests.conftest import FIXTURE_CONTENT, database_env
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer
from tests.fakes.subscribers import bulk_subscribe
from tests.test_cli import run

TOKEN = "939393:E2E-poison-token-for-the-tests"
TEMPLATE = """  rapat_warga:
    topic: announcements
    id: "Rapat warga {{ election.short_name }}"
"""


async def test_a_removed_template_fails_its_broadcast_and_the_next_one_reaches_everyone(
        tmp_path: Path, database: str) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    schedule = content / "schedule.yaml"
    original = schedule.read_text(encoding="utf-8")
    schedule.write_text(original.replace("templates:\n", "templates:\n" + TEMPLATE, 1),
                        encoding="utf-8")
    ids = list(range(800_000, 800_040))
    await bulk_subscribe(database, ids)
    cli_env = {**database_env(database), "CONTENT_DIR": str(content)}
    # An official queues a broadcast from a template...
    queued = await asyncio.to_thread(run, "broadcast", "send", "--template", "rapat_warga",
                                     cwd=tmp_path, env=cli_env)
    assert queued.returncode == 0, queued.stderr
    # ...a content editor removes the template, and the bot (re)starts.
    schedule.write_text(original, encoding="utf-8")
    server = FakeBotApiServer(TOKEN)
    await server.start()
    env = bot_env(server, tmp_path, **database_env(database), CONTENT_DIR=str(content),
                  QUIET_HOURS="", BROADCAST_RATE="25")
    process = await start_bot(server, env, tmp_path)
    try:
        sent = await asyncio.to_thread(run, "broadcast", "send", "--text", "Rapat warga Jumat",
                                       cwd=tmp_path, env=cli_env)
        assert sent.returncode == 0, sent.stderr
        await server.wait_count("sendMessage", len(ids), within=30)
        status = ""
        for _ in range(100):
            status = (await asyncio.to_thread(run, "broadcast", "status", "2", cwd=tmp_path,
                                              env=cli_env)).stdout
            if "done" in status:
                break
            await asyncio.sleep(0.2)
        assert "broadcast 2: done; 40 recipients: sent 40" in status
        assert all(server.delivered[i] == 1 for i in ids)
        first = (await asyncio.to_thread(run, "broadcast", "status", "1", cwd=tmp_path,
                                         env=cli_env)).stdout
        assert "broadcast 1: failed" in first and "rapat_warga" in first, first
        listed = (await asyncio.to_thread(run, "broadcast", "list", cwd=tmp_path,
                                          env=cli_env)).stdout
        assert "failed" in listed and "rapat_warga" in listed
    finally:
        assert await stop_bot(process, server) == 0
        await server.stop()
