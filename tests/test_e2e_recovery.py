"""`kill -9` of a webhook process that had answered Telegram 200 for updates it had not
handled yet: the other process answers them (README, "Several processes"; bot/recovery.py).
Real processes on a real PostgreSQL, the fake Bot API counting every reply."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import aiohttp

from bot.web import SECRET_HEADER
from tests.fakes import updates
from tests.fakes.process import bot_env, free_port, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer

TOKEN = "757575:E2E-recovery-token-for-tests"
SECRET = "recovery_Secret-1"
HOOK = {"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1"}
ASKERS = 60      # twice what the bot may send in a second: most wait for their turn to reply


async def test_updates_a_killed_process_had_taken_are_answered_by_the_other(
        tmp_path: Path, pg_url: str) -> None:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    env = bot_env(server, tmp_path, DATABASE_URL=pg_url, SEMANTIC_THREADS="0", **HOOK)
    ports = [free_port(), free_port()]
    doomed = await start_bot(server, {**env, "WEBHOOK_PORT": str(ports[0])}, tmp_path, None,
                             "--webhook")
    survivor = await start_bot(server, {**env, "WEBHOOK_PORT": str(ports[1])}, tmp_path, None,
                               "--webhook")
    try:
        chats = list(range(9100, 9100 + ASKERS))
        payloads = [server.api.new_update(message=updates.message(
            server.api, "kapan pilkada?", updates.user(chat))) for chat in chats]
        async with aiohttp.ClientSession() as session:
            async def post(payload: dict[str, object]) -> int:
                async with session.post(f"http://127.0.0.1:{ports[0]}/hook", json=payload,
                                        headers={SECRET_HEADER: SECRET}) as response:
                    return response.status
            assert await asyncio.gather(*map(post, payloads)) == [200] * ASKERS
        doomed.send_signal(signal.SIGKILL)      # Telegram will not send these again
        await doomed.wait()
        answered_by_doomed = {c.params["chat_id"] for c in server.sent()}
        assert len(answered_by_doomed) < ASKERS      # it died with updates in hand
        deadline = time.monotonic() + 40
        while {c.params["chat_id"] for c in server.sent()} != set(chats):
            assert time.monotonic() < deadline, sorted(
                set(chats) - {c.params["chat_id"] for c in server.sent()})
            await asyncio.sleep(0.2)
    finally:
        if doomed.returncode is None:
            doomed.kill()
        assert await stop_bot(survivor, server) == 0
        await server.stop()
