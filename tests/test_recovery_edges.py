"""Update recovery's edges (bot/recovery.py, storage/recovered.py): what a process takes over
is never lost and never an update already handled or still in hand."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from bot.content.registry import Content
from bot.context import SuaraApplication
from bot.storage import open_database, recovered, turns
from bot.storage.db import DatabaseError
from bot.storage.processes import publish
from tests.postgres import create_database, drop_database
from tests.test_order import api, post, processes, question
from tests.test_recovery import age, until

NOW = datetime(2024, 11, 1, 8, 0, tzinfo=UTC)


async def test_an_update_taken_as_the_process_stops_is_left_for_another(
        pg_admin_url: str, content: Content) -> None:
    """Taken once PTB stopped reading its queue (SIGTERM: app.stop() runs before the recovery
    stops), an update would sit in a queue nobody reads, its row gone: lost."""
    async with processes(pg_admin_url, content) as (one, two):
        payload = question(one, 8411, "kapan hari pencoblosan?")
        assert await post(one, payload) == 200
        await one.services.sends.stop()       # one dies
        await age(two.services.db, turns.TURN_SECONDS + 1)
        assert two.services.recovery is not None
        await two.services.recovery.stop()     # (its own looks: this test looks)
        await two.start()
        await two.stop()                      # two stops; its recovery still runs a moment
        await two.services.recovery.take_over(two)
        assert two.update_queue.empty()       # nothing put where nobody reads
        async with two.services.db.conn.execute(
                "SELECT COUNT(*) FROM chat_queue WHERE update_id = ?",
                (payload["update_id"],)) as cur:
            row = await cur.fetchone()
        assert row is not None and row[0] == 1     # still there for a live process


async def test_a_process_never_takes_over_its_own_updates(
        pg_admin_url: str, content: Content) -> None:
    """Its own heartbeat late (the loop stalled, SIGSTOP/SIGCONT, a slow publication): the
    updates it admitted are still in its own queue; taking them too handles them twice."""
    async with processes(pg_admin_url, content) as (one, _two):
        assert await post(one, question(one, 8412)) == 200
        assert one.update_queue.qsize() == 1
        await age(one.services.db, turns.TURN_SECONDS + 1)
        await one.services.db.conn.execute("UPDATE processes SET heartbeat = heartbeat - 10")
        me = one.services.sends.id
        assert await recovered.take_lost(one.services.db, me) == []
        assert one.update_queue.qsize() == 1
        assert len(await recovered.take_lost(one.services.db, "another")) == 1     # another


async def test_an_update_whose_taker_dies_too_is_taken_again(pg_admin_url: str) -> None:
    """Taken, the update stays queued under its taker: were it deleted, a taker that died
    before handling it (or a stop cancelling the look mid-statement) lost it for good."""
    url = await create_database(pg_admin_url)
    db = await open_database(url)
    try:
        await turns.admit(db, 1, 901, NOW, None, "dead", json.dumps({"update_id": 1}))
        await age(db, turns.TURN_SECONDS + 1)
        await publish(db, "taker", 0, False)
        assert [u for u, _ in await recovered.take_lost(db, "taker")] == [1]
        assert await recovered.take_lost(db, "third") == []     # the taker's now, and alive
        # A later update of the chat waits for it, as for any earlier queued one.
        assert not (await turns.admit(db, 2, 901, NOW, None, "third", "{}")).turn
        await db.conn.execute("DELETE FROM processes WHERE id = 'taker'")    # the taker dies
        await age(db, turns.TURN_SECONDS + 1)
        assert [u for u, _ in await recovered.take_lost(db, "third")] == [1]
    finally:
        await db.close()
        await drop_database(pg_admin_url, url)


async def test_an_update_flood_control_dropped_is_not_answered_when_taken_over(
        pg_admin_url: str, content: Content) -> None:
    """Taken over, an update was handled as flood control's 'pass': the user over the limit
    got an answer to each message their dead process had dropped."""
    async with processes(pg_admin_url, content, FLOOD_LIMIT="1") as (one, two):
        for text in ("kapan pilkada?", "kapan hari pencoblosan?", "apa itu tps?"):
            assert await post(one, question(one, 8421, text)) == 200    # pass, notice, drop
        await one.services.sends.stop()      # one dies
        assert two.services.recovery is not None
        await two.services.recovery.stop()   # (its own looks: this test looks)
        await age(two.services.db, turns.TURN_SECONDS + 1)
        await two.start()
        try:
            assert await two.services.recovery.take_over(two) == 2     # not the dropped one
            await until(lambda: len(sent(two)) >= 2)
            await asyncio.sleep(0.3)
        finally:
            await two.stop()
        assert len(sent(two)) == 2, sent(two)


def sent(app: SuaraApplication) -> list[str]:
    return [c.params["text"] for c in api(app).calls if c.method == "sendMessage"]


class _Failing:
    """The database refuses the next statement that contains `marker`."""

    def __init__(self, conn: object, marker: str) -> None:
        self.conn, self.marker, self.failed = conn, marker, 0

    def execute(self, sql: str, params: object = ()) -> object:
        if self.marker in sql and not self.failed:
            self.failed += 1
            raise DatabaseError("connection lost")
        return self.conn.execute(sql, params)  # type: ignore[attr-defined]


async def test_a_handled_update_is_never_taken_over(pg_admin_url: str) -> None:
    """A release that failed once (the database away a moment) left the handled update's row,
    payload and all: when its process later stopped (its row in `processes` deleted), another
    took it over and handled it again, up to an hour later."""
    url = await create_database(pg_admin_url)
    db = await open_database(url)
    try:
        await publish(db, "me", 0, False)
        await turns.admit(db, 1, 901, NOW, None, "me", json.dumps({"update_id": 1}))
        real = db.conn
        db.conn = _Failing(real, "unnest")  # type: ignore[assignment]
        turns.release_later(db, 1, 901)          # handled
        await turns.flush_releases(db)           # ... the release refused
        db.conn = real
        await turns.drain(db)                    # shutdown: what is pending goes now
        await age(db, turns.TURN_SECONDS + 1)
        await db.conn.execute("DELETE FROM processes WHERE id = 'me'")     # me stopped
        assert await recovered.take_lost(db, "other") == []
    finally:
        await db.close()
        await drop_database(pg_admin_url, url)


