"""The shared per-chat turns and flood counts (PostgreSQL; storage/turns.py, storage/flood.py),
on a real server, with two Database handles standing for two processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.storage import flood as counts
from bot.storage import open_database, turns
from bot.storage.db import Database
from bot.storage.turns import FloodAsk
from tests.postgres import create_database, drop_database

NOW = datetime(2024, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def two(pg_admin_url: str) -> AsyncIterator[tuple[Database, Database]]:
    url = await create_database(pg_admin_url)
    one = await open_database(url)
    other = await open_database(url)
    try:
        yield one, other
    finally:
        await one.close()
        await other.close()
        await drop_database(pg_admin_url, url)


async def test_a_chat_has_one_turn_and_the_earliest_waiting_update_takes_it_next(
        two: tuple[Database, Database]) -> None:
    a, b = two
    first = await turns.admit(a, 10, 500, NOW)
    assert first.new and first.turn
    # The same update again, at the other process: a duplicate, no turn.
    again = await turns.admit(b, 10, 500, NOW)
    assert not again.new and not again.turn
    # Two later updates of the chat wait; another chat is not held up.
    later, latest = await turns.admit(b, 12, 500, NOW), await turns.admit(a, 11, 500, NOW)
    assert later.new and not later.turn and latest.new and not latest.turn
    assert (await turns.admit(b, 13, 501, NOW)).turn
    assert not await turns.claim(b, 12, 500)
    await turns.release(a, 10, 500)
    # 12 arrived before 11, but 11 is earlier: 11 goes first.
    assert not await turns.claim(b, 12, 500)
    assert await turns.claim(a, 11, 500)
    assert not await turns.claim(b, 12, 500)
    await turns.release(a, 11, 500)
    assert await turns.claim(b, 12, 500)
    await turns.release(b, 12, 500)
    async with a.conn.execute("SELECT COUNT(*) FROM chat_queue WHERE chat_id = 500") as cur:
        assert (await cur.fetchone())[0] == 0


async def test_a_release_goes_with_the_next_admission_or_on_its_own(
        two: tuple[Database, Database]) -> None:
    a, b = two

    async def held() -> list[int]:
        async with b.conn.execute("SELECT chat_id FROM chat_turns ORDER BY chat_id") as cur:
            return [row[0] for row in await cur.fetchall()]

    assert (await turns.admit(a, 30, 700, NOW)).turn
    assert not (await turns.admit(b, 31, 700, NOW)).turn
    before = a.round_trips.count
    turns.release_later(a, 30, 700)
    assert await held() == [700]                       # not yet
    # a's next admission (another chat) carries it: one round trip for both.
    assert (await turns.admit(a, 32, 701, NOW)).turn
    assert a.round_trips.count == before + 1
    assert await held() == [701]
    assert await turns.claim(b, 31, 700)
    # Alone, it goes within RELEASE_SECONDS.
    turns.release_later(a, 32, 701)
    await asyncio.sleep(turns.RELEASE_SECONDS * 5)
    assert await held() == [700]
    # A release of the chat being admitted goes first: the chat's next update has its turn.
    turns.release_later(b, 31, 700)
    assert (await turns.admit(b, 33, 700, NOW)).turn
    async with a.conn.execute("SELECT update_id FROM chat_queue ORDER BY update_id") as cur:
        assert [row[0] for row in await cur.fetchall()] == [33]


async def test_a_release_waits_its_own_time_after_an_admission_carried_the_others(
        two: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    # While admissions keep coming, no release needs a statement of its own: the wait for
    # one starts when it is made, not when an earlier one (carried since) was.
    a, _ = two
    monkeypatch.setattr(turns, "RELEASE_SECONDS", 0.4)
    assert (await turns.admit(a, 40, 800, NOW)).turn
    assert (await turns.admit(a, 41, 801, NOW)).turn
    turns.release_later(a, 40, 800)
    await asyncio.sleep(0.3)
    before = a.round_trips.count
    assert (await turns.admit(a, 42, 802, NOW)).turn      # carries 40's release
    turns.release_later(a, 41, 801)
    await asyncio.sleep(0.2)           # 0.5 s after the first release, 0.2 after this one
    assert a.round_trips.count == before + 1
    await asyncio.sleep(0.5)
    assert a.round_trips.count == before + 2              # then on its own


async def test_a_shutdown_waits_for_the_releases_already_on_their_way(
        two: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = two
    monkeypatch.setattr(turns, "RELEASE_SECONDS", 0.01)
    assert (await turns.admit(a, 50, 900, NOW)).turn
    execute = a.conn.execute

    async def slow(*args: object) -> object:      # the timer's statement is still on its way
        await asyncio.sleep(0.3)
        return await execute(*args)

    monkeypatch.setattr(a.conn, "execute", slow)
    turns.release_later(a, 50, 900)
    await asyncio.sleep(0.05)                     # the timer fired; nothing is pending
    await turns.drain(a)
    async with b.conn.execute("SELECT COUNT(*) FROM chat_turns WHERE chat_id = 900") as cur:
        assert (await cur.fetchone())[0] == 0


async def test_a_turn_whose_holder_died_lapses(two: tuple[Database, Database]) -> None:
    a, b = two
    assert (await turns.admit(a, 20, 600, NOW)).turn
    assert not (await turns.admit(b, 21, 600, NOW)).turn
    # The holder's process died: its lease and queued row age past TURN_SECONDS.
    await a.conn.execute("UPDATE chat_turns SET until = until - 10000 WHERE chat_id = 600")
    await a.conn.execute("UPDATE chat_queue SET since = since - 10000 WHERE update_id = 20")
    assert await turns.claim(b, 21, 600)


async def test_flood_counts_across_processes_one_notice(two: tuple[Database, Database]) -> None:
    a, b = two
    ask = FloodAsk(user_id=77, limit=4, cooldown_seconds=60)
    verdicts = []
    for n in range(10):
        db = a if n % 2 else b
        verdicts.append((await turns.admit(db, 100 + n, 77, NOW, ask)).flood)
    assert verdicts == ["pass"] * 4 + ["notice"] + ["drop"] * 5
    # Counted on its own (an update admitted without flood control), the same row.
    assert await counts.count(a, 200, 77, 4, 60) == "drop"
    assert await counts.count(a, 201, 78, 4, 60) == "pass"
    # The cool-down over, the user starts afresh.
    await a.conn.execute("UPDATE flood_counts SET blocked_until = blocked_until - 61000"
                         " WHERE user_id = 77")
    assert await counts.count(b, 202, 77, 4, 60) == "pass"
