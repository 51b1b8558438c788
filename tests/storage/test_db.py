from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import MigrationError, open_database
from bot.storage.broadcast_lists import list_broadcasts
from bot.storage.broadcasts import charge_error, outcome_counts, set_state
from bot.storage.campaigns import record_arrival
from bot.storage.db import _migrations
from bot.storage.sqlstyle import number_placeholders
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


async def database_at(database: str, version: int, rows: list[tuple[str, tuple[object, ...]]]
                      ) -> None:
    """Make `database` (either backend) as code of schema `version` left it, with `rows`."""
    if database.startswith("postgresql://"):
        import asyncpg
        conn = await asyncpg.connect(database)
        try:
            await conn.execute("CREATE TABLE suara_schema (version INTEGER NOT NULL)")
            for _, _, sql in _migrations("postgres")[:version]:
                await conn.execute(sql)
            await conn.execute("INSERT INTO suara_schema VALUES ($1)", version)
            for sql, params in rows:
                await conn.execute(number_placeholders(sql), *params)
        finally:
            await conn.close()
        return
    async with aiosqlite.connect(database) as lite:
        for number, _, sql in _migrations()[:version]:
            await lite.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        for sql, params in rows:
            await lite.execute(sql, params)
        await lite.commit()


async def test_an_older_database_is_migrated_keeping_its_data(database: str) -> None:
    """A database at schema 3 (topics as columns, before 'failed'/'unknown') moves to the
    current schema with its subscribers' choices and its broadcasts intact."""
    await database_at(database, 3, [
        ("INSERT INTO users (user_id, language, first_seen, last_seen)"
         " VALUES (1, 'id', 'x', 'x')", ()),
        ("INSERT INTO subscriptions (user_id, countdown, socialisation,"
         " announcements, subscribed_at) VALUES (1, 1, 0, 1, 'x')", ()),
        ("INSERT INTO broadcasts (created_at, created_by, text, topic,"
         " not_before, state) VALUES ('x', 'cli', 'hi', 'countdown', 'x', 'done')", ()),
        ("INSERT INTO deliveries (broadcast_id, user_id, language, outcome)"
         " VALUES (1, 1, 'id', 'sent')", ())])
    db = await open_database(database)
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


async def test_user_lifecycle(database: str) -> None:
    db = await open_database(database)
    user = await touch_user(db, 42, "en", NOW)
    assert (user.language, user.language_set, user.campaign) == ("en", False, None)
    assert user.created                                  # this touch made the row
    # Telegram's language is followed until the user chooses one.
    again = await touch_user(db, 42, "id", NOW)
    assert (again.language, again.created) == ("id", False)
    await set_language(db, 42, "en")
    # Read again from the database within the same second: still not made by this touch.
    assert (await touch_user(db, 42, "id", NOW)) == replace(again, language="en",
                                                             language_set=True,
                                                             language_chosen=True)
    later = NOW + timedelta(hours=1)
    touched = await touch_user(db, 42, "id", later)
    assert touched.last_seen == later.isoformat(timespec="seconds")
    assert touched.first_seen == NOW.isoformat(timespec="seconds")
    # Each link counts a start once; only a new user (their row made by this update) is
    # brought in, by the link they came through.
    assert await record_arrival(db, "a", 42, NOW, new_user=True)
    assert await record_arrival(db, "b", 42, NOW, new_user=True)
    assert not await record_arrival(db, "a", 42, NOW, new_user=True)
    assert (await get_user(db, 42)).campaign == "a"  # type: ignore[union-attr]
    await touch_user(db, 43, "id", NOW)
    assert await record_arrival(db, "b", 43, NOW, new_user=False)
    assert (await get_user(db, 43)).campaign is None  # type: ignore[union-attr]
    assert await delete_user(db, 42)
    assert await get_user(db, 42) is None
    assert not await delete_user(db, 42)
    await db.close()


async def test_writes_from_many_chats_at_once_never_collide(database: str) -> None:
    """Handlers of different chats write at once on one connection: a transaction begun while
    another coroutine's write is open used to fail ("cannot start a transaction within a
    transaction"). Every write now takes its turn."""
    from bot.storage.subscriptions import subscribe

    db = await open_database(database)
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
        database: str) -> None:
    """Migration 8 (the 'held' state) gives a broadcast a second official approved the count
    they approved, so that the engine's check at send time holds it to that."""
    insert = ("INSERT INTO broadcasts (created_at, created_by, text, topic, not_before, state,"
              " approved_by) VALUES ('x', ?, 'hi', 'announcements', 'x', 'scheduled', ?)")
    await database_at(database, 7, [
        (insert, ("tg:901", "tg:900")), (insert, ("cli", None)),
        ("INSERT INTO approvals (requested_by, requested_at, draft, recipients, state,"
         " decided_by, broadcast_id) VALUES (901, 'x', '{}', 40, 'approved', 900, 1)", ())])
    db = await open_database(database)
    try:
        by_id = {b.id: b for b in await list_broadcasts(db)}
        assert (by_id[1].approved_count, by_id[2].approved_count) == (40, None)
        assert await set_state(db, 1, ("scheduled",), "held")
    finally:
        await db.close()


async def test_requests_of_broadcasts_cancelled_before_migration_20_are_closed(
        database: str) -> None:
    """Migration 20 (a request closed as 'cancelled'): a request left pending by a held
    broadcast cancelled before it is closed; one still waiting for a held broadcast is not;
    and cancelling now closes a waiting request in the same step, audited."""
    from bot.storage.officials import control_broadcast, get_approval, recent_audit

    insert = ("INSERT INTO broadcasts (created_at, created_by, text, topic, not_before, state)"
              " VALUES ('x', 'tg:901', 'hi', 'announcements', 'x', ?)")
    request = ("INSERT INTO approvals (requested_by, requested_at, draft, recipients, state,"
               " broadcast_id) VALUES (901, 'x', '{\"held\": true}', 40, 'pending', ?)")
    await database_at(database, 19, [(insert, ("cancelled",)), (insert, ("held",)),
                                     (request, (1,)), (request, (2,))])
    db = await open_database(database)
    try:
        first, second = await get_approval(db, 1), await get_approval(db, 2)
        assert first is not None and second is not None
        assert (first.state, second.state) == ("cancelled", "pending")
        now = datetime(2029, 3, 1, tzinfo=UTC)
        assert await control_broadcast(db, 2, "cancel", "cli", None, now)
        second = await get_approval(db, 2)
        assert second is not None and (second.state, second.decided_by) == ("cancelled", None)
        [entry] = await recent_audit(db, 5)
        assert (entry.actor, entry.action, entry.detail) == (
            "cli", "broadcast.cancel", "#2; permintaan 2 ditutup")
        assert not await control_broadcast(db, 2, "cancel", "cli", None, now)
    finally:
        await db.close()


async def test_the_health_probe_answers_on_each_backend(database: str) -> None:
    from bot.storage.health import database_state

    db = await open_database(database)
    try:
        assert await database_state(db) == "ok"
    finally:
        await db.close()
    if database.startswith("postgresql://"):
        assert await database_state(db) == "unreachable"     # its pool is closed


async def test_processes_starting_together_migrate_once(pg_admin_url: str) -> None:
    """Four openings of one empty PostgreSQL database at once (as four bot processes starting
    together): the advisory lock lets one apply the migrations; the others find them done."""
    from tests.postgres import create_database, drop_database

    url = await create_database(pg_admin_url)
    try:
        opened = await asyncio.gather(*[open_database(url) for _ in range(4)])
        async with opened[0].conn.execute("SELECT version FROM suara_schema") as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [(len(_migrations()),)]
        await touch_user(opened[1], 5, "id", NOW)
        assert await get_user(opened[2], 5) is not None
        for db in opened:
            await db.close()
    finally:
        await drop_database(pg_admin_url, url)


async def test_round_trips_to_postgresql_are_counted(pg_admin_url: str) -> None:
    """What benchmarks.load divides by the updates: every statement, and a transaction's BEGIN
    and COMMIT, counted once each (a read 1, a one-statement write 3)."""
    from tests.postgres import create_database, drop_database

    url = await create_database(pg_admin_url)
    try:
        db = await open_database(url)
        try:
            trips = db.round_trips        # type: ignore[attr-defined]
            before = trips.count
            await get_user(db, 5)
            assert trips.count == before + 1
            async with db.transaction() as conn:
                await conn.execute("UPDATE users SET language = 'en' WHERE user_id = 5")
            assert trips.count == before + 4
        finally:
            await db.close()
    finally:
        await drop_database(pg_admin_url, url)


async def test_a_user_new_to_this_process_costs_one_round_trip(pg_admin_url: str) -> None:
    """Each process keeps its own recent users: a user another process saw (or nobody did)
    is written and read in one statement, and reads as the other process left the row."""
    from tests.postgres import create_database, drop_database

    url = await create_database(pg_admin_url)
    try:
        here, there = await open_database(url), await open_database(url)
        try:
            trips = here.round_trips        # type: ignore[attr-defined]
            before = trips.count
            first = await touch_user(here, 9, "id", NOW)           # new: inserted
            assert (first.language, first.first_seen) == ("id", NOW.isoformat(timespec="seconds"))
            assert first.created
            assert trips.count == before + 1
            await set_language(there, 9, "en")
            seen = await touch_user(there, 9, "id", NOW)           # fresh: nothing to write
            assert (seen.language, seen.language_set, seen.created) == ("en", True, False)
            later = NOW + timedelta(hours=1)
            before = trips.count
            here_again = await touch_user(here, 9, "id", later)    # stale: last_seen moves
            assert trips.count == before + 1
            assert (here_again.language, here_again.last_seen, here_again.created) == (
                "en", later.isoformat(timespec="seconds"), False)
            assert (await touch_user(here, 9, "id", later)) == here_again   # from memory
            assert trips.count == before + 1
        finally:
            await here.close()
            await there.close()
    finally:
        await drop_database(pg_admin_url, url)
