from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import MigrationError, open_database
from bot.storage.broadcasts import charge_error, list_broadcasts, outcome_counts, set_state
from bot.storage.campaigns import record_arrival
from bot.storage.db import _migrations
from bot.storage.subscriptions import get_subscription
from bot.storage.users import delete_user, get_user, set_language, touch_user

NOW = datetime(2024, 11, 1, 12, 0, tzinfo=UTC)


async def test_migrations_apply_once_and_wal_is_on(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "d" / "x.sqlite3"
    db = await open_database(path)
    async with db.conn.execute("PRAGMA journal_mode") as cur:
        assert (await cur.fetchone())[0] == "wal"
    async with db.conn.execute("PRAGMA user_version") as cur:
        assert (await cur.fetchone())[0] == len(_migrations())
    await touch_user(db, 7, "id", NOW)
    await db.close()
    with caplog.at_level(logging.INFO, logger="bot.storage.db"):
        db = await open_database(path)  # re-opening applies nothing again, and loses nothing
    assert not [r for r in caplog.records if "applying migration" in r.getMessage()]
    async with db.conn.execute("PRAGMA user_version") as cur:
        assert (await cur.fetchone())[0] == len(_migrations())
    assert await get_user(db, 7) is not None
    await db.close()


async def test_an_older_database_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    """A database at schema 3 (topics as columns, before 'failed'/'unknown') moves to the
    current schema with its subscribers' choices and its broadcasts intact."""
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path) as conn:
        for number, _, sql in _migrations()[:3]:
            await conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        await conn.execute("INSERT INTO users (user_id, language, first_seen, last_seen)"
                           " VALUES (1, 'id', 'x', 'x')")
        await conn.execute("INSERT INTO subscriptions (user_id, countdown, socialisation,"
                           " announcements, subscribed_at) VALUES (1, 1, 0, 1, 'x')")
        await conn.execute("INSERT INTO broadcasts (created_at, created_by, text, topic,"
                           " not_before, state) VALUES ('x', 'cli', 'hi', 'countdown', 'x', 'done')")
        await conn.execute("INSERT INTO deliveries (broadcast_id, user_id, language, outcome)"
                           " VALUES (1, 1, 'id', 'sent')")
        await conn.commit()
    db = await open_database(path)
    sub = await get_subscription(db, 1)
    assert sub is not None and sub.topics == {"countdown", "announcements"}
    assert (await outcome_counts(db, 1)) == {"sent": 1}
    assert await charge_error(db, 1, "x", 1, NOW) is False   # 'done' stays done
    await db.close()


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    async with aiosqlite.connect(path) as conn:
        await conn.execute("PRAGMA user_version = 999")
        await conn.commit()
    with pytest.raises(MigrationError, match="newer than this code"):
        await open_database(path)


async def test_user_lifecycle(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "x.sqlite3")
    user = await touch_user(db, 42, "en", NOW)
    assert (user.language, user.language_set, user.campaign) == ("en", False, None)
    # Telegram's language is followed until the user chooses one.
    assert (await touch_user(db, 42, "id", NOW)).language == "id"
    await set_language(db, 42, "en")
    assert (await touch_user(db, 42, "id", NOW)).language == "en"
    later = NOW + timedelta(hours=1)
    touched = await touch_user(db, 42, "id", later)
    assert touched.last_seen == later.isoformat(timespec="seconds")
    assert touched.first_seen == NOW.isoformat(timespec="seconds")
    # First touch: the first campaign a user arrives through keeps them; each counts a start.
    assert await record_arrival(db, "a", 42, NOW)
    assert await record_arrival(db, "b", 42, NOW)
    assert not await record_arrival(db, "a", 42, NOW)
    assert (await get_user(db, 42)).campaign == "a"  # type: ignore[union-attr]
    assert await delete_user(db, 42)
    assert await get_user(db, 42) is None
    assert not await delete_user(db, 42)
    await db.close()


async def test_writes_from_many_chats_at_once_never_collide(tmp_path: Path) -> None:
    """Handlers of different chats write at once on one connection: a transaction begun while
    another coroutine's write is open used to fail ("cannot start a transaction within a
    transaction"). Every write now takes its turn."""
    from bot.storage.subscriptions import subscribe

    db = await open_database(tmp_path / "race.sqlite3")
    try:
        async def citizen(uid: int) -> None:
            await touch_user(db, uid, "id", NOW)

        async def subscriber(uid: int) -> None:
            await touch_user(db, uid, "id", NOW)
            await subscribe(db, uid, NOW, ["countdown"])

        await asyncio.gather(*[citizen(100_000 + i) for i in range(200)],
                             *[subscriber(i) for i in range(200)])
        for uid in (0, 199):
            sub = await get_subscription(db, uid)
            assert sub is not None and sub.active
        assert await get_user(db, 100_199) is not None
    finally:
        await db.close()


async def test_broadcasts_approved_before_the_held_state_keep_their_approved_count(
        tmp_path: Path) -> None:
    """Migration 8 (the 'held' state) gives a broadcast a second official approved the count
    they approved, so that the engine's check at send time holds it to that."""
    path = tmp_path / "v7.sqlite3"
    async with aiosqlite.connect(path) as conn:
        for number, _, sql in _migrations()[:7]:
            await conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        for created_by, approved_by in (("tg:901", "tg:900"), ("cli", None)):
            await conn.execute("INSERT INTO broadcasts (created_at, created_by, text, topic,"
                               " not_before, state, approved_by) VALUES ('x', ?, 'hi',"
                               " 'announcements', 'x', 'scheduled', ?)", (created_by, approved_by))
        await conn.execute("INSERT INTO approvals (requested_by, requested_at, draft, recipients,"
                           " state, decided_by, broadcast_id) VALUES (901, 'x', '{}', 40,"
                           " 'approved', 900, 1)")
        await conn.commit()
    db = await open_database(path)
    try:
        by_id = {b.id: b for b in await list_broadcasts(db)}
        assert (by_id[1].approved_count, by_id[2].approved_count) == (40, None)
        assert await set_state(db, 1, ("scheduled",), "held")
    finally:
        await db.close()
