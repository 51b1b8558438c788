"""A broadcast from the CLI reaches a running bot, and never delays answers to citizens."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.conftest import database_env
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer, Fault
from tests.fakes.subscribers import bulk_subscribe
from tests.test_cli import run

TOKEN = "929292:E2E-isolation-token-for-the-tests"


async def add_subscribers(database: str, count: int) -> list[int]:
    ids = list(range(700_000, 700_000 + count))
    await bulk_subscribe(database, ids)
    return ids


async def test_cli_broadcast_runs_and_replies_do_not_wait_for_it(tmp_path: Path, database: str) -> None:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    ids = await add_subscribers(database, 40)
    env = bot_env(server, tmp_path, **database_env(database), QUIET_HOURS="",
                  BROADCAST_RATE="10")
    process = await start_bot(server, env, tmp_path)
    try:
        # The first broadcast message gets a 429: the engine must pause for 5 s.
        server.faults.append(Fault("sendMessage", status=429, retry_after=5))
        start = len(server.calls)
        sent = await asyncio.to_thread(run, "broadcast", "send", "--text", "Rapat warga Jumat",
                                       cwd=tmp_path, env=database_env(database))
        assert sent.returncode == 0, sent.stderr
        await server.wait_for(lambda c: c.method == "sendMessage" and c.error is not None
                              and "Too Many" in c.error, start=start, within=10)
        # While the engine waits out the 429, a citizen asks; the answer does not wait.
        citizen = updates.user(5555, "id", "Yanti")
        asked_at = time.monotonic()
        start = len(server.calls)
        server.push(message=updates.message(server.api, "jam brp tps buka", citizen))
        answer = await server.wait_for(
            lambda c: c.method == "sendMessage" and c.params.get("chat_id") in (5555, "5555"),
            start=start, within=10)
        assert time.monotonic() - asked_at < 1.5
        assert "Jam buka TPS" in answer.params["text"]
        # Honoured exactly: after the 429 arrived, no broadcast message for 5 seconds (one sent
        # before the answer came back may still land: a request on the wire cannot be recalled).
        refused = next(c for c in server.calls if c.error and "Too Many" in c.error)
        subscribers = {str(i) for i in ids} | set(ids)
        early = [c for c in server.calls if c.method == "sendMessage" and c.at > refused.at + 0.05
                 and c.params.get("chat_id") in subscribers and c.at < refused.at + 4.95]
        assert early == [], [(round(c.at - refused.at, 2), c.params["chat_id"]) for c in early]
        # Then the broadcast completes: 40 subscribers at 10/s after the 5 s pause.
        status = ""
        for _ in range(150):
            status = (await asyncio.to_thread(run, "broadcast", "status", "1", cwd=tmp_path,
                                              env=database_env(database))).stdout
            if "done" in status:
                break
            await asyncio.sleep(0.2)
        assert "broadcast 1: done; 40 recipients: sent 40" in status
        assert all(server.delivered[i] == 1 for i in ids)
    finally:
        assert await stop_bot(process, server) == 0
        await server.stop()
