"""SIGTERM while broadcast sends hang: the bot exits 0 within 10 s; the sends left unanswered
are recorded as unknown (never resent); the rest stay pending for the next start."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.storage import open_database
from bot.storage.broadcasts import outcome_counts
from tests.conftest import database_env
from tests.fakes.process import bot_env, start_bot
from tests.fakes.server import FakeBotApiServer, Fault
from tests.fakes.subscribers import bulk_subscribe
from tests.test_cli import run

TOKEN = "929292:E2E-shutdown-token-for-the-tests"


async def test_sigterm_mid_broadcast_exits_in_time_and_records_what_is_unknown(
        tmp_path: Path, database: str) -> None:
    ids = list(range(810_000, 810_060))
    await bulk_subscribe(database, ids)
    server = FakeBotApiServer(TOKEN)
    await server.start()
    # Every broadcast message hangs (the Bot API stalls) longer than the bot may wait at exit.
    server.faults.append(Fault("sendMessage", status=500, delay=15, times=1000))
    env = bot_env(server, tmp_path, **database_env(database), QUIET_HOURS="",
                  BROADCAST_RATE="25", SEMANTIC_THREADS="0")
    process = await start_bot(server, env, tmp_path, tmp_path / "bot.log")
    try:
        sent = await asyncio.to_thread(run, "broadcast", "send", "--text", "Rapat warga",
                                       cwd=tmp_path, env=database_env(database))
        assert sent.returncode == 0, sent.stderr
        for _ in range(200):        # the first sends have arrived (and hang)
            if any(c.method == "sendMessage" for c in server.calls):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
    finally:
        began = time.monotonic()
        process.terminate()
        code = await asyncio.wait_for(process.wait(), 30)
        took = time.monotonic() - began
        hung = len([c for c in server.calls if c.method == "sendMessage"])
        await server.stop()
    assert code == 0 and took < 10, (code, took)
    db = await open_database(database)
    try:
        counts = await outcome_counts(db, 1)
    finally:
        await db.close()
    assert counts.get("unknown", 0) == hung >= 1, (counts, (tmp_path / "bot.log").read_text()[-3000:])
    assert counts.get("unknown", 0) + counts.get("pending", 0) == len(ids), counts
