"""Depth 2 for one bot for a province (issue 20): `python -m bot run` on the fixture province
(tests/fixtures/province) against the fake Bot API over HTTP. Two citizens of different
regencies ask the same question about candidates and each gets their own regency's pairs; an
announcer of one regency announces, and only that regency's subscribers receive it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import FIXTURE_CONTENT, database_env
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer
from tests.fakes.subscribers import bulk_subscribe, execute

TOKEN = "454545:E2E-province-token-for-tests"
PROVINCE = FIXTURE_CONTENT.parent / "province"
SUPER = updates.user(8900, "id", "Admin Provinsi")
ANNOUNCER = updates.user(8901, "id", "KPU Bukit")
BUKIT = {101: "98.01.01.2001", 102: "98.01"}     # Kabupaten Bukit Contoh
KOTA = {201: None, 202: "98.71"}                 # Kota Contoh Raya; 201 says so when asked
NOWHERE = [301]
QUESTION = "siapa saja calon bupati?"
NEWS = "Rapat pleno KPU Bukit Contoh hari Sabtu."


def chat_of(call: Any) -> int:
    return int(call.params.get("chat_id", 0))


async def say(server: FakeBotApiServer, text: str, sender: dict[str, Any]) -> str:
    """Send a message; the text of the bot's first reply to that chat."""
    start = len(server.calls)
    server.push(message=updates.message(server.api, text, sender))
    got = await server.wait_for(lambda c: c.method == "sendMessage" and c.error is None
                                and chat_of(c) == sender["id"], start=start)
    return str(got.params["text"])


async def press(server: FakeBotApiServer, label: str, sender: dict[str, Any],
                until: str = "") -> str:
    """Press the button labelled `label` on the latest keyboard in the sender's chat; the
    text of the screen or message that follows (containing `until`)."""
    holder = [m for (cid, _), m in sorted(server.api.messages.items(), key=lambda kv: kv[0][1])
              if cid == sender["id"] and m.get("reply_markup")][-1]
    data = next(b["callback_data"] for row in holder["reply_markup"]["inline_keyboard"]
                for b in row if label in b["text"])
    start = len(server.calls)
    server.push(callback_query=updates.callback(data, sender, holder))
    got = await server.wait_for(lambda c: c.method in ("editMessageText", "sendMessage")
                                and c.error is None and chat_of(c) == sender["id"]
                                and until in c.params.get("text", ""), start=start)
    return str(got.params["text"])


async def test_a_province_answers_each_regency_and_a_regional_announcement_stays_in_it(
        tmp_path: Path, database: str) -> None:
    citizens = {**BUKIT, **KOTA}
    await bulk_subscribe(database, [*citizens, *NOWHERE])
    await execute(database, "UPDATE users SET region_code = ? WHERE user_id = ?",
                  [(code, uid) for uid, code in citizens.items() if code])
    server = FakeBotApiServer(TOKEN)
    await server.start()
    env = bot_env(server, tmp_path, **database_env(database), CONTENT_DIR=str(PROVINCE),
                  ADMIN_IDS=str(SUPER["id"]), QUIET_HOURS="")
    process = await start_bot(server, env, tmp_path)
    try:
        # The same question from two regencies: each gets their own regency's pairs.
        bukit = await say(server, QUESTION, updates.user(101, "id", "Warga Bukit"))
        assert "Andi Bukit" in bukit and "Eka Kota" not in bukit
        city = updates.user(201, "id", "Warga Kota")
        asked = await say(server, QUESTION, city)       # no region yet: asked once
        assert "Kamu memilih di mana" in asked and "Andi Bukit" not in asked
        answered = await press(server, "Kota Contoh Raya", city, until="Eka Kota")
        assert "Andi Bukit" not in answered

        # An announcer of Kabupaten Bukit Contoh only.
        given = await say(server, f"/petugas tambah {ANNOUNCER['id']} pengumum 98.01", SUPER)
        assert "untuk Kabupaten Bukit Contoh" in given
        options = await say(server, "/umumkan", ANNOUNCER)
        assert "langkah 1/3" in options
        await say(server, NEWS, ANNOUNCER)
        summary = await press(server, "Pratinjau", ANNOUNCER, until="langkah 3/3")
        assert "Kabupaten Bukit Contoh (98.01)" in summary and "Penerima:</b> 2" in summary
        await press(server, "Kirim", ANNOUNCER)
        report = await server.wait_for(
            lambda c: c.method == "editMessageText" and "Laporan akhir" in c.params["text"],
            within=30)
        assert "terkirim 2" in report.params["text"]
        received = {chat_of(c) for c in server.sent() if c.params.get("text") == NEWS}
        # The announcer saw one preview; Bukit Contoh's subscribers got it, nobody else (not
        # Kota's, not the one without a region).
        assert received == {*BUKIT, ANNOUNCER["id"]}
    finally:
        assert await stop_bot(process, server) == 0
        await server.stop()
