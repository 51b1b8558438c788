"""An idle delivery engine (issue 21): it looks for work when a broadcast is due or a write
wakes it, not five times a second; on PostgreSQL a broadcast written by another process wakes
the leader's engine through the change feed (bot/sharing.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.broadcasts import engine as engine_module
from bot.storage import open_database
from bot.storage.broadcasts import create_broadcast, next_runnable, set_state
from bot.storage.changes import ChangeFeed
from bot.storage.db import iso
from tests.broadcasts.conftest import Rig, broadcast, eventually


async def test_the_next_broadcast_is_the_due_one_or_else_the_first_due(rig: Rig) -> None:
    now = rig.clock.now()
    later = await broadcast(rig, not_before=now + timedelta(minutes=5))
    sooner = await broadcast(rig, not_before=now + timedelta(minutes=2))
    assert await next_runnable(rig.db, now) is None
    upcoming = await next_runnable(rig.db, now, upcoming=True)
    assert upcoming is not None and upcoming.id == sooner
    due = await broadcast(rig)
    urgent = await broadcast(rig, urgent=True)
    for found in (await next_runnable(rig.db, now), await next_runnable(rig.db, now, True)):
        assert found is not None and found.id == urgent
    await set_state(rig.db, urgent, ("scheduled",), "paused")
    found = await next_runnable(rig.db, now, upcoming=True)
    assert found is not None and found.id == due and later != due


async def test_an_idle_engine_waits_for_the_next_due_broadcast_not_a_poll(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    looks = 0
    original = engine_module.next_runnable

    async def counted(*args: object, **kwargs: object) -> object:
        nonlocal looks
        looks += 1
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_module, "next_runnable", counted)
    users = await rig.subscribers(2)
    engine = rig.engine()
    engine.idle_poll = 30.0
    await engine.start()
    await asyncio.sleep(0.6)
    assert looks == 1, f"{looks} looks in 0.6 s of idleness"
    await broadcast(rig, not_before=rig.clock.now() + timedelta(seconds=0.5))
    engine.poke()     # what a write does here (in-process) or through the feed
    rig.clock.advance(timedelta(seconds=0.5))    # the fixed clock: due once 0.5 s have passed
    await eventually(lambda: _sent(rig, users), within=3, what="sent at its time")


async def _sent(rig: Rig, users: list[int]) -> bool:
    return all(rig.sender.delivered[u] == 1 for u in users)


async def test_a_broadcast_written_by_another_process_wakes_the_idle_engine(rig: Rig) -> None:
    if rig.db.dialect != "postgres":
        pytest.skip("one process on SQLite: its own writes poke the engine")
    users = await rig.subscribers(2)
    engine = rig.engine()
    engine.idle_poll = 30.0
    feed = ChangeFeed(str(rig.settings.database))
    feed.on("broadcasts", lambda _key: engine.poke())
    await feed.start()
    other = await open_database(str(rig.settings.database))   # another process's writes
    try:
        await asyncio.wait_for(feed.connected.wait(), 10)
        await engine.start()
        await asyncio.sleep(0.3)                              # idle now, for 30 s
        now = rig.clock.now()
        await create_broadcast(other, created_by="test", topic="announcements", text="Halo",
                               not_before=now, now=now)
        await eventually(lambda: _sent(rig, users), within=3, what="created: sent")
        paused = await create_broadcast(other, created_by="test", topic="announcements",
                                        text="Lagi", not_before=now + timedelta(hours=1), now=now)
        await set_state(other, paused, ("scheduled",), "paused")
        await other.write("UPDATE broadcasts SET not_before = ? WHERE id = ?", (iso(now), paused))
        await asyncio.sleep(0.3)
        assert await set_state(other, paused, ("paused",), "scheduled")   # resumed
        await eventually(lambda: _all_twice(rig, users), within=3, what="resumed: sent")
    finally:
        await feed.stop()
        await other.close()


async def _all_twice(rig: Rig, users: list[int]) -> bool:
    return all(rig.sender.delivered[u] == 2 for u in users)
