"""An independent check: the conversation through `python -m bot run` against
telegram-test-api (npm), a Bot API emulator written by others, so our own fake server is not
the only judge. A thin shim adds only what the emulator lacks: `is_bot` in getMe, and the
command-menu methods it does not implement (answered ok, as Telegram would)."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot import PROJECT_ROOT
from tests.conftest import EMBEDDINGS_CACHE, FIXTURE_CONTENT
from tests.fakes.process import free_port

EMULATOR = PROJECT_ROOT / "tests" / "emulator"
TOKEN = "848484:EMULATOR-token-for-the-tests"
NOT_IN_EMULATOR = {"setMyCommands", "deleteMyCommands", "getMyCommands"}

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


@pytest.fixture
async def emulator() -> AsyncIterator[str]:
    assert (EMULATOR / "node_modules" / "telegram-test-api").is_dir(), \
        "run `npm install` in tests/emulator (.ci/run does)"
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        "node", str(EMULATOR / "server.js"), env={"PORT": str(port), "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        assert line.startswith(b"ready"), line
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await process.wait()


async def shim(emulator: str) -> tuple[web.AppRunner, str]:
    session = aiohttp.ClientSession()

    async def forward(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method in NOT_IN_EMULATOR:
            return web.json_response({"ok": True, "result": True})
        body = await request.read()
        async with session.post(f"{emulator}/bot{request.match_info['token']}/{method}",
                                data=body, headers={"Content-Type": request.content_type}) as r:
            data: Any = json.loads(await r.read())
        if method == "getMe" and data.get("ok"):
            data["result"].setdefault("is_bot", True)
        return web.json_response(data)

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", forward)
    app.on_cleanup.append(lambda _: session.close())
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def say(emulator: str, text: str, user_id: int) -> None:
    message: dict[str, Any] = {
        "botToken": TOKEN, "date": 1700000000, "text": text,
        "from": {"id": user_id, "first_name": "Rina", "username": "rina", "is_bot": False},
        "chat": {"id": user_id, "first_name": "Rina", "username": "rina", "type": "private"}}
    route = "sendMessage"
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
        route = "sendCommand"
    async with aiohttp.ClientSession() as s, s.post(f"{emulator}/{route}", json=message) as r:
        assert r.status == 200


async def replies(emulator: str, user_id: int, wanted: str, within: float = 15.0) -> list[str]:
    """The bot's messages to this user, read from the emulator until one contains `wanted`
    (a reply may come in several messages, read a few at a time)."""
    seen: list[str] = []
    async with aiohttp.ClientSession() as s:
        for _ in range(int(within / 0.2)):
            async with s.post(f"{emulator}/getUpdates",
                              json={"token": TOKEN, "chatId": user_id}) as r:
                seen += [str(u["message"].get("text", "")) for u in (await r.json())["result"]]
            if any(wanted in t for t in seen):
                break
            await asyncio.sleep(0.2)
    return seen


async def test_the_conversation_holds_against_an_emulator_written_by_others(
        emulator: str, tmp_path: Path) -> None:
    import os
    import sys

    runner, url = await shim(emulator)
    env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": url,
           "DATABASE_PATH": str(tmp_path / "e.sqlite3"), "PYTHONPATH": str(PROJECT_ROOT),
           "CONTENT_DIR": str(FIXTURE_CONTENT), "CACHE_DIR": str(EMBEDDINGS_CACHE),
           "HEALTH_PORT": "0", "SEMANTIC_THREADS": "0"}
    bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path,
                                               env=env, stdout=asyncio.subprocess.DEVNULL,
                                               stderr=asyncio.subprocess.DEVNULL)
    try:
        await say(emulator, "/start", 5101)
        assert any("Pilkada Contoh" in t for t in await replies(emulator, 5101, "Pilkada Contoh"))
        await say(emulator, "jam berapa tps buka dan tutup?", 5101)
        assert any("TPS buka pukul" in t
                   for t in await replies(emulator, 5101, "TPS buka pukul"))
        await say(emulator, "When is voting day?", 5102)
        assert any("Voting day" in t for t in await replies(emulator, 5102, "Voting day"))
    finally:
        bot.terminate()
        assert await asyncio.wait_for(bot.wait(), 30) == 0
        await runner.cleanup()
