"""A broadcast's recipients fixed in chunks while it is sent (bot/broadcasts/targeting.py), on
both backends: everyone once, sending before the targeting ends, and a crash mid-targeting
resumed where it stopped."""

from __future__ import annotations

import asyncio

import pytest

from bot.broadcasts import targeting
from bot.storage import Database
from bot.storage.broadcasts import get_broadcast, outcome_counts
from bot.storage.targeting import claim, fix_chunk
from tests.broadcasts.conftest import Rig, broadcast

TOPIC = "announcements"


async def bulk_subscribers(db: Database, ids: range, now: str) -> None:
    """Many subscribers in three statements (the rig's one-by-one way takes too long here)."""
    async with db.transaction() as conn:
        await conn.executemany("INSERT INTO users (user_id, language, first_seen, last_seen)"
                               " VALUES (?, 'id', ?, ?)", [(i, now, now) for i in ids])
        await conn.executemany("INSERT INTO subscriptions (user_id, subscribed_at) VALUES (?, ?)",
                               [(i, now) for i in ids])
        await conn.executemany("INSERT INTO subscription_topics (user_id, topic) VALUES (?, ?)",
                               [(i, TOPIC) for i in ids])


async def fixed(db: Database, bid: int) -> int:
    async with db.conn.execute("SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ?",
                               (bid,)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_sending_starts_before_the_targeting_ends_and_reaches_everyone_once(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = range(10_001, 12_501)                       # 2,500 subscribers
    await bulk_subscribers(rig.db, ids, rig.clock.now().isoformat())
    seen_at_first_send: list[tuple[int, bool]] = []
    first_sent = asyncio.Event()
    send = rig.sender.send

    async def watching(payload: dict[str, object]):  # type: ignore[no-untyped-def]
        if not seen_at_first_send:
            b = await get_broadcast(rig.db, bid)
            assert b is not None
            seen_at_first_send.append((await fixed(rig.db, bid), b.snapshotted))
            first_sent.set()
        return await send(payload)

    # The chunks after the first wait for the first message (however loaded the machine): an
    # engine that waited for the whole audience before sending would never send, and fail here.
    chunks = 0
    real_fix = targeting.fix_chunk

    async def after_first_send(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal chunks
        chunks += 1
        if chunks > 1:
            await asyncio.wait_for(first_sent.wait(), 10)
        return await real_fix(*args, **kwargs)

    monkeypatch.setattr(targeting, "fix_chunk", after_first_send)
    rig.sender.send = watching  # type: ignore[method-assign]
    engine = rig.engine()
    engine.chunk = 1_000
    bid = await broadcast(rig)
    await engine.start()
    assert await rig.wait_state(bid, "done") == "done"
    rows, snapshotted = seen_at_first_send[0]
    assert rows < 2_500 and not snapshotted           # the first chunk went out at once
    assert sorted(rig.sender.delivered) == list(ids)
    assert set(rig.sender.delivered.values()) == {1}
    assert await outcome_counts(rig.db, bid) == {"sent": 2_500}
    b = await get_broadcast(rig.db, bid)
    assert b is not None and b.snapshotted


async def test_a_crash_mid_targeting_is_resumed_where_it_stopped(rig: Rig) -> None:
    ids = range(20_001, 21_201)                       # 1,200 subscribers
    await bulk_subscribers(rig.db, ids, rig.clock.now().isoformat())
    bid = await broadcast(rig)
    b = await get_broadcast(rig.db, bid)
    assert b is not None
    # A leader claimed it, fixed two chunks of 500, and died before sending anything.
    assert await claim(rig.db, b, rig.clock.now())
    assert (await fix_chunk(rig.db, b, rig.clock.now(), 500)).added == 500
    assert (await fix_chunk(rig.db, b, rig.clock.now(), 500)).added == 500
    assert await fixed(rig.db, bid) == 1_000
    engine = rig.engine()                             # the next leader, or this one restarted
    engine.chunk = 500
    await engine.start()
    assert await rig.wait_state(bid, "done") == "done"
    assert sorted(rig.sender.delivered) == list(ids)
    assert set(rig.sender.delivered.values()) == {1}
    assert await fixed(rig.db, bid) == 1_200
    # Resumed after the 1,000th: the last chunk found the 200 left, not the first 500 again.
    last = await fix_chunk(rig.db, b, rig.clock.now(), 500)
    assert last.done and last.added == 0
