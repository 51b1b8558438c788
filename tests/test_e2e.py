"""`python -m bot run` as a real process against the local fake Bot API over HTTP (depth 2)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer, Fault

TOKEN = "424242:E2E-secret-token-value-for-tests"


@dataclass
class Running:
    server: FakeBotApiServer
    process: asyncio.subprocess.Process
    log_path: Path


async def start(server: FakeBotApiServer, tmp_path: Path) -> Running:
    log_path = tmp_path / "bot.log"
    env = bot_env(server, tmp_path, LOG_LEVEL="DEBUG")
    process = await start_bot(server, env, tmp_path, log=log_path)
    return Running(server, process, log_path)


async def stop(running: Running) -> int:
    return await stop_bot(running.process, running.server)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Running]:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    running = await start(server, tmp_path)
    try:
        yield running
    finally:
        await stop(running)
        await server.stop()


async def say(server: FakeBotApiServer, text: str, sender: dict, method: str = "sendMessage"):
    start = len(server.calls)
    server.push(message=updates.message(server.api, text, sender))
    return await server.wait_for(lambda c: c.method == method and c.error is None, start=start)


async def press(server: FakeBotApiServer, label: str, sender: dict):
    holder = [m for (cid, _), m in sorted(server.api.messages.items(), key=lambda kv: kv[0][1])
              if cid == sender["id"] and m.get("reply_markup")][-1]
    data = next(b["callback_data"] for row in holder["reply_markup"]["inline_keyboard"]
                for b in row if label in b["text"])
    start = len(server.calls)
    server.push(callback_query=updates.callback(data, sender, holder))
    return await server.wait_for(lambda c: c.method == "editMessageText" and c.error is None,
                                 start=start)


async def test_conversation_through_the_real_process(bot: Running) -> None:
    server = bot.server
    citizen = updates.user(9001, "id", "Budi")

    greeting = await say(server, "/start smaneg1", citizen)
    assert "Halo, Budi!" in greeting.params["text"]

    topic = await press(server, "Hari pencoblosan", citizen)
    assert "Kapan hari pencoblosan?" in str(topic.params["reply_markup"])

    answer = await say(server, "tps buka jam brp ya", citizen)
    assert answer.params["text"].startswith("<b>Jam buka TPS")
    assert "Sumber:" in answer.params["text"]

    await say(server, "/bahasa", citizen)
    switched = await press(server, "English", citizen)
    assert "Language set to English" in switched.params["text"]
    english = await say(server, "/hitungmundur", citizen)
    assert "to go" in english.params["text"] and "14 March 2029" in english.params["text"]

    await say(server, "/hapusdata", citizen)
    deleted = await press(server, "Yes, delete", citizen)
    assert "deleted" in deleted.params["text"]

    assert await stop(bot) == 0
    log = bot.log_path.read_text()
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "Budi" not in log and "tps buka jam brp" not in log
    assert not [c for c in server.calls if c.error], [c.error for c in server.calls if c.error]


async def test_forwarded_messages_are_claims_to_check(tmp_path: Path) -> None:
    """Issue 18: a forwarded message gets the claim framing, a super-admin's too unless it is
    inside the /petugas flow, where it picks an official."""
    server = FakeBotApiServer(TOKEN)
    await server.start()
    process = await start_bot(server, bot_env(server, tmp_path, ADMIN_IDS="4242"), tmp_path)
    origin = {"type": "user", "sender_user": {"id": 777, "is_bot": False, "first_name": "Dewi"},
              "date": 1700000000}
    try:
        for sender in (updates.user(9101, "id", "Sari"), updates.user(4242, "id", "Admin")):
            start = len(server.calls)
            server.push(message=updates.message(
                server.api, "TPS di Lembah Contoh tutup jam 12 siang, sebarkan!", sender,
                forward_origin=origin))
            reply = await server.wait_for(lambda c: c.method == "sendMessage" and c.error is None,
                                          start=start)
            assert reply.params["text"].startswith("🔎 <b>Tidak benar</b>"), reply.params
        admin = updates.user(4242, "id", "Admin")
        await say(server, "/petugas", admin)
        start = len(server.calls)
        server.push(message=updates.message(server.api, "halo", admin, forward_origin=origin))
        offer = await server.wait_for(lambda c: c.method == "sendMessage" and c.error is None,
                                      start=start)
        assert "Beri peran kepada Dewi" in offer.params["text"]
    finally:
        assert await stop_bot(process, server) == 0
        await server.stop()


async def test_replies_survive_a_429_and_a_5xx(bot: Running) -> None:
    server = bot.server
    server.faults += [Fault("sendMessage", status=429, retry_after=1),
                      Fault("sendMessage", status=502)]
    citizen = updates.user(9002, "id", "Sari")
    start = len(server.calls)
    server.push(message=updates.message(server.api, "undangan sy ilang", citizen))
    await server.wait_for(lambda c: c.method == "sendMessage" and c.error is None, start=start)
    attempts = [c for c in server.calls[start:] if c.method == "sendMessage"]
    assert [c.error is None for c in attempts] == [False, False, True]
    assert attempts[2].at - attempts[0].at >= 1.0  # retry_after honoured
    assert "Tetap bisa" in attempts[2].params["text"]


async def test_bad_token_stops_with_a_clear_message(tmp_path: Path) -> None:
    server = FakeBotApiServer("999:the-right-token-is-another-one")
    await server.start()
    try:
        env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": server.url,
               "DATABASE_PATH": str(tmp_path / "x.sqlite3"), "PYTHONPATH": str(PROJECT_ROOT)}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 30)
    finally:
        await server.stop()
    assert process.returncode == 2
    assert b"BOT_TOKEN was rejected" in err
    assert TOKEN.split(":")[1].encode() not in out + err
