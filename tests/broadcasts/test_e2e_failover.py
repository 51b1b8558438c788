"""Two `python -m bot run --webhook` processes on one PostgreSQL, against the fake Bot API: one
leads (sends the broadcast, registered the webhook), the other follows; `kill -9` the leader
mid-broadcast and the other takes over within 10 s, every recipient gets the message, and the
only duplicates are those the dead leader had in flight."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiohttp

from bot.broadcasts.engine import concurrency_for
from bot.broadcasts.outcomes import FLUSH_INTERVAL
from tests.broadcasts.conftest import eventually
from tests.fakes.process import bot_env, free_port, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer
from tests.fakes.subscribers import bulk_subscribe, query
from tests.test_cli import run

TOKEN = "737373:E2E-failover-token-for-the-tests"
SECRET = "failover_Secret-1"
RATE = 100
RECIPIENTS = 600


async def health(port: int, path: str = "/healthz") -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.get(
            f"http://127.0.0.1:{port}{path}") as response:
        return response.status, json.loads(await response.text())


async def test_the_follower_takes_over_a_broadcast_when_the_leader_is_killed(
        tmp_path: Path, pg_url: str) -> None:
    ids = list(range(800_000, 800_000 + RECIPIENTS))
    await bulk_subscribe(pg_url, ids)
    server = FakeBotApiServer(TOKEN)
    await server.start()
    ports = [free_port(), free_port()]
    folders = [tmp_path / "a", tmp_path / "b"]       # two hosts: nothing shared but the database
    envs = []
    for folder, port in zip(folders, ports, strict=True):
        folder.mkdir()
        envs.append(bot_env(server, folder, DATABASE_URL=pg_url, SEMANTIC_THREADS="0",
                            QUIET_HOURS="", PAID_BROADCAST="true", BROADCAST_RATE=str(RATE),
                            WEBHOOK_URL="https://bot.example.org/tg-hook", WEBHOOK_SECRET=SECRET,
                            WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port)))
    leader = await start_bot(server, envs[0], folders[0], folders[0] / "bot.log", "--webhook")
    follower: asyncio.subprocess.Process | None = None
    try:
        await server.wait_for(lambda c: c.method == "setWebhook")
        follower = await start_bot(server, envs[1], folders[1], folders[1] / "bot.log",
                                   "--webhook")
        await asyncio.sleep(2.5)                     # it tried to lead, and did not
        assert await health(ports[0]) == (200, {"status": "ok", "role": "leader", "epoch": 1})
        assert await health(ports[1]) == (200, {"status": "ok", "role": "follower",
                                                "epoch": None})
        status, ready = await health(ports[1], "/readyz")
        assert status == 200 and ready["engine"] == "standby", ready
        assert server.ok_counts["setWebhook"] == 1   # registered once, by the leader

        sent = await asyncio.to_thread(run, "broadcast", "send", "--text", "Rapat warga",
                                       cwd=tmp_path, env={"DATABASE_URL": pg_url})
        assert sent.returncode == 0, sent.stderr
        await eventually(lambda: _at_least(server, RECIPIENTS * 2 // 5), within=30,
                         what="40% sent")
        leader.kill()                                # kill -9: no goodbye, no flush
        killed_at = time.monotonic()
        await leader.wait()

        async def took_over() -> bool:
            return (await health(ports[1]))[1]["role"] == "leader"

        await eventually(took_over, within=10, what="the follower leading")
        took = time.monotonic() - killed_at
        assert (await health(ports[1]))[1]["epoch"] == 2
        await server.wait_count("setWebhook", 2, within=5)   # the new leader registers it

        async def done() -> bool:
            return await query(pg_url, "SELECT state FROM broadcasts") == [("done",)]

        await eventually(done, within=60, what="the broadcast done")
    finally:
        if follower is not None:
            assert await stop_bot(follower, server) == 0
        if leader.returncode is None:
            leader.kill()
            await leader.wait()
        await server.stop()
    assert took < 10, took
    delivered = {i: server.delivered[i] for i in ids}
    assert all(n >= 1 for n in delivered.values()), "a recipient got nothing"
    duplicates = sum(n - 1 for n in delivered.values())
    in_flight = concurrency_for(RATE) + RATE * FLUSH_INTERVAL
    assert duplicates <= in_flight, (duplicates, in_flight)
    assert await query(pg_url, "SELECT outcome, COUNT(*) FROM deliveries GROUP BY outcome") == [
        ("sent", RECIPIENTS)]


async def _at_least(server: FakeBotApiServer, count: int) -> bool:
    return server.ok_counts["sendMessage"] >= count
