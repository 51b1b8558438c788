"""Depth 2 for the officials' console: `python -m bot run` against the fake Bot API over HTTP.
An official announces to one kecamatan; the right subscribers, and only they, receive it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import database_env
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer
from tests.fakes.subscribers import bulk_subscribe, execute

TOKEN = "434343:E2E-officials-token-for-tests"
OFFICIAL = updates.user(8800, "id", "Petugas")
IN_AIR_HITAM = [101, 102, 103]          # desa 99.01.05.2001, kecamatan 99.01.05
ELSEWHERE = [201, 202]                  # kecamatan 99.01.06
NO_REGION = [301]


def holder(server: FakeBotApiServer, chat_id: int) -> dict:
    return [m for (cid, _), m in sorted(server.api.messages.items(), key=lambda kv: kv[0][1])
            if cid == chat_id and m.get("reply_markup")][-1]


async def press(server: FakeBotApiServer, label: str, sender: dict, until: str = "") -> None:
    message = holder(server, sender["id"])
    data = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
                for b in row if label in b["text"])
    start = len(server.calls)
    server.push(callback_query=updates.callback(data, sender, message))
    await server.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    # The screen that follows (an edit, or new messages) has arrived once the bot is idle.
    await server.wait_for(lambda c: c.method in ("editMessageText", "sendMessage")
                          and c.params.get("chat_id") in (sender["id"], str(sender["id"]))
                          and until in c.params.get("text", ""), start=start)


async def say(server: FakeBotApiServer, text: str) -> None:
    start = len(server.calls)
    server.push(message=updates.message(server.api, text, OFFICIAL))
    await server.wait_for(lambda c: c.method == "sendMessage" and c.error is None, start=start)


async def test_an_official_announces_to_one_kecamatan(tmp_path: Path, database: str) -> None:
    await bulk_subscribe(database, IN_AIR_HITAM + ELSEWHERE + NO_REGION)
    await execute(database, "UPDATE users SET region_code = ? WHERE user_id = ?",
                  [("99.01.05.2001", i) for i in IN_AIR_HITAM]
                  + [("99.01.06.2001", i) for i in ELSEWHERE])
    server = FakeBotApiServer(TOKEN)
    await server.start()
    env = bot_env(server, tmp_path, **database_env(database), ADMIN_IDS=str(OFFICIAL["id"]),
                  QUIET_HOURS="")
    process = await start_bot(server, env, tmp_path)
    try:
        await say(server, "/umumkan")
        await say(server, "TPS di Air Hitam buka pukul 07.00.")
        await press(server, "Wilayah", OFFICIAL)
        await press(server, "Air Hitam", OFFICIAL)
        await press(server, "Seluruh Kec.", OFFICIAL)
        await press(server, "Pratinjau", OFFICIAL, until="langkah 3/3")
        await press(server, "Kirim", OFFICIAL)
        got = await server.wait_for(
            lambda c: c.method == "editMessageText" and "Laporan akhir" in c.params["text"],
            within=30)
        assert "terkirim 3" in got.params["text"]
        received = {int(c.params["chat_id"]) for c in server.sent()
                    if c.params.get("text") == "TPS di Air Hitam buka pukul 07.00."}
        # The official saw one preview; the subscribers of Air Hitam got it, nobody else.
        assert received == {*IN_AIR_HITAM, OFFICIAL["id"]}
    finally:
        assert await stop_bot(process, server) == 0
        await server.stop()
