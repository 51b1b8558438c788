"""An update the webhook answered 200, whose process then died before handling it, is handled
by a live process (PostgreSQL, several processes; bot/recovery.py, storage/recovered.py):
Telegram never sends an update again once it had 200 for it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from bot.content.registry import Content
from bot.storage import open_database, recovered, turns
from bot.storage.processes import publish
from tests.postgres import create_database, drop_database
from tests.test_order import api, post, processes, question

NOW = datetime(2024, 11, 1, 8, 0, tzinfo=UTC)


async def age(db: object, seconds: float) -> None:
    """Make the queued rows and the turns as old as if `seconds` had passed."""
    ms = int(seconds * 1000)
    conn = db.conn   # type: ignore[attr-defined]
    await conn.execute("UPDATE chat_queue SET since = since - ?", (ms,))
    await conn.execute("UPDATE chat_turns SET until = until - ?", (ms,))


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.02)


async def test_an_update_whose_process_died_is_handled_by_another(
        pg_admin_url: str, content: Content) -> None:
    async with processes(pg_admin_url, content) as (one, two):
        payload = question(one, 8401, "kapan hari pencoblosan?")
        assert await post(one, payload) == 200      # Telegram is done with it
        assert one.update_queue.qsize() == 1         # ... and one dies before handling it
        assert one.services.recovery is not None and two.services.recovery is not None
        # While one lives, and while the update is younger than a chat's turn, it is one's.
        await age(two.services.db, turns.TURN_SECONDS + 1)
        assert await two.services.recovery.take_over(two) == 0
        await one.services.sends.stop()      # one publishes no more (dead: silent, or gone)
        await two.services.recovery.stop()   # (its own looks: this test looks)
        await two.start()                    # two reads its update queue
        try:
            assert await two.services.recovery.take_over(two) == 1
            assert await recovered.take_lost(two.services.db, "third") == []     # taken once
            await until(lambda: any(c.method == "sendMessage" for c in api(two).calls))
        finally:
            await two.stop()
        replies = [c for c in api(two).calls if c.method == "sendMessage"]
        assert len(replies) == 1 and replies[0].params["chat_id"] == 8401
        assert "Hari pemungutan suara" in replies[0].params["text"]     # the answer

async def test_only_a_silent_owners_old_updates_are_taken(pg_admin_url: str) -> None:
    url = await create_database(pg_admin_url)
    db = await open_database(url)
    try:
        await publish(db, "alive", 0, False)
        await publish(db, "dead", 0, False)
        await db.conn.execute("UPDATE processes SET heartbeat = heartbeat - 60 WHERE id = 'dead'")
        rows = [(1, "alive", '{"update_id": 1}'), (2, "dead", '{"update_id": 2}'),
                (3, "dead", None), (4, "gone", '{"update_id": 4}'), (5, None, None)]
        for update_id, owner, payload in rows:
            await turns.admit(db, update_id, 900 + update_id, NOW, None, owner, payload)
        await turns.admit(db, 6, 906, NOW, None, "dead", '{"update_id": 6}')
        assert await recovered.take_lost(db, "me") == []           # none older than a turn yet
        await age(db, turns.TURN_SECONDS + 1)
        await turns.admit(db, 7, 907, NOW, None, "dead", '{"update_id": 7}')     # young
        await turns.release(db, 6, 906)                                          # handled
        # The dead and the gone owners' updates, as received; not the polled one (no
        # payload), nor a live owner's, a young one or a handled one; and only once.
        assert await recovered.take_lost(db, "me") == [(2, '{"update_id": 2}'), (4, '{"update_id": 4}')]
        assert await recovered.take_lost(db, "me") == []
    finally:
        await db.close()
        await drop_database(pg_admin_url, url)
