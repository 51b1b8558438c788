"""Faults: the disk fills up during writes (SQLite's max_page_count), the Bot API answers 5xx
for a while. The bot tells the citizen something went wrong, reports it in /readyz (a fault of
its own) and the metrics, stays alive (/livez: nothing here is worth a restart), and recovers by
itself when the fault clears; nothing inconsistent is stored."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import aiohttp
import pytest

from bot.content.registry import Content
from bot.storage.users import get_user
from tests.fakes import updates
from tests.fakes.faultrun import KINDS, run_fault
from tests.fakes.harness import offline_bot, texts
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer, Fault


async def health(port: int, path: str = "/readyz") -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, \
            session.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, json.loads(await response.text())


async def test_a_full_disk_is_reported_and_the_bot_recovers_when_space_returns(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, web=True, FLOOD_LIMIT="0") as h:
        app = h.app
        db = app.services.db
        async with db.conn.execute("PRAGMA page_count") as cur:
            pages = (await cur.fetchone())[0]
        await db.conn.execute(f"PRAGMA max_page_count = {pages + 8}")
        try:                                                          # the disk fills up
            while True:
                await db.conn.execute("INSERT INTO unanswered_questions (text, language, asked_at)"
                                      " VALUES (?, 'id', '2029-01-01')", ("x" * 3000,))
                await db.conn.commit()
        except Exception as exc:
            assert "full" in str(exc)
            await db.conn.rollback()
        try:                                  # and the users' pages too, to the last byte
            for uid in range(1, 100_000):
                await db.conn.execute("INSERT INTO users (user_id, language, first_seen,"
                                      " last_seen) VALUES (?, 'id', 'x', 'x')", (uid,))
                await db.conn.commit()
        except Exception as exc:
            assert "full" in str(exc)
            await db.conn.rollback()
        db.breaker_seconds = 0.3          # writes wait this long after one failed (5 s in use)
        shown = texts(await h.text("jam berapa tps buka?", user=h.user(7100)))   # a new citizen
        assert len(shown) == 1 and "TPS buka pukul" in shown[0]       # answered all the same
        port = app.services.http.bound_port
        assert port is not None
        status, body = await health(port)                  # the failed write is reported
        assert status == 503 and body["database"] == "full" and body["status"] == "unready"
        assert (await health(port, "/livez"))[0] == 200                # alive all the same
        assert app.services.metrics.handler_errors() >= 1             # counted in /metrics
        refused = texts(await h.text("jam berapa tps buka?", user=h.user(7101)))
        assert refused and "TPS buka pukul" in refused[0]   # writes refused at once, no wait
        await db.conn.execute("PRAGMA max_page_count = 1073741823")  # space again
        await asyncio.sleep(0.35)
        answer = texts(await h.text("jam berapa tps buka?", user=h.user(7200)))
        assert answer and "TPS buka pukul" in answer[0]
        assert await get_user(db, 7200) is not None
        status, body = await health(port)
        assert status == 200 and body["database"] == "ok"              # recovered by itself
        metrics = app.services.metrics.render().decode()
        assert 'suara_handler_errors_total{type="OperationalError"}' in metrics
        assert await get_user(db, 7100) is None          # the failed write left nothing behind


TOKEN = "838383:FAULT-secret-token-for-tests"


async def test_the_bot_api_failing_for_a_while_does_not_stop_the_bot(tmp_path: Path) -> None:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    env = bot_env(server, tmp_path, SEMANTIC_THREADS="0")
    process = await start_bot(server, env, tmp_path, tmp_path / "bot.log")
    try:
        server.faults.append(Fault("sendMessage", status=502, times=6))   # down for a while
        for n in range(3):
            server.push(message=updates.message(server.api, "jam berapa tps buka?",
                                                updates.user(7300 + n)))
        await server.wait_for(lambda c: c.method == "sendMessage" and c.error is not None)
        start = len(server.calls)
        for _ in range(40):                                            # the fault clears
            if not server.faults:
                break
            server.push(message=updates.message(server.api, "jam berapa tps buka?",
                                                updates.user(7399)))
            await server.wait_for(lambda c: c.method == "sendMessage", start=len(server.calls))
        start = len(server.calls)
        server.push(message=updates.message(server.api, "jam berapa tps buka?",
                                            updates.user(7400)))
        answer = await server.wait_for(
            lambda c: c.method == "sendMessage" and c.error is None, start=start)
        assert "TPS buka pukul" in str(answer.params["text"])
        assert process.returncode is None
    finally:
        assert await stop_bot(process, server) == 0
        await server.stop()


# Fault durations are a setting of the suite: short here, a minute in benchmarks/faults.py.
FAULT_SECONDS = float(os.environ.get("FAULT_SECONDS", "3"))


@pytest.mark.parametrize("kind", KINDS)
async def test_the_bot_recovers_by_itself_when_a_fault_clears(tmp_path: Path, kind: str) -> None:
    """The real process, citizens asking 4 times a second through a fault of FAULT_SECONDS:
    the Bot API answering 502, the Bot API too slow to answer, another process holding the
    database. It never stops; it reports the fault; answers come back once it clears."""
    outcome = await run_fault(kind, FAULT_SECONDS, tmp_path)
    assert outcome.exit_code == 0
    assert outcome.answers_back_after is not None and outcome.answers_back_after < 3.0
    assert outcome.unanswered_after == 0            # nobody asking after recovery is ignored
    assert outcome.healthy_after is not None          # and /readyz says so again
    assert outcome.alive_during == {"200"}            # never a reason to restart the bot
    assert outcome.log_mentions > 0                   # the fault is in the log
    if kind == "db_locked":
        assert outcome.health_during == {"503"}       # reported while it lasts
        assert outcome.answered == outcome.asked      # answers need no write
        assert max(outcome.latencies) < 6.0           # one busy wait at most, not a queue
    else:                                             # Telegram's trouble, not the bot's
        assert outcome.health_during == {"200"}
    if kind != "api_timeout":
        assert outcome.duplicates == 0


async def test_a_language_not_saved_for_a_refused_write_still_gets_the_answer(
        tmp_path: Path, content: Content) -> None:
    # A known citizen on an English phone asks in Indonesian while writes are refused: the
    # typed language is not saved (it will be next time), and the answer comes all the same.
    async with offline_bot(tmp_path, content, FLOOD_LIMIT="0") as h:
        english_phone = h.user(7300, lang="en")
        await h.text("what time do polling stations open?", user=english_phone)
        db = h.app.services.db
        db.unavailable_until = time.monotonic() + 100          # writes refused for now
        shown = texts(await h.text("jam berapa tps buka?", user=english_phone))
        assert shown and "TPS buka pukul" in shown[0]
        user = await get_user(db, 7300)
        assert user is not None and user.language == "en"
