"""Erasing a citizen (/hapusdata, a deleted account) deletes their delivery records by user id:
at national scale tens of millions of rows, so the statement must find them by an index, not
read the table (its primary key leads with broadcast_id). Migration 23 adds it; a database
made before it is upgraded in place, its rows kept."""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from bot.storage import open_database
from bot.storage.broadcasts import outcome_counts
from bot.storage.sqlstyle import number_placeholders
from bot.storage.users import delete_user, get_user
from tests.storage.test_db import database_at

NOW = datetime(2029, 3, 1, tzinfo=UTC)
ERASE = "DELETE FROM deliveries WHERE user_id = ?"


async def plan(database: str, sql: str) -> str:
    """The query plan, as one string, of `sql` with one parameter (7), on either backend."""
    if database.startswith("postgresql://"):
        import asyncpg
        conn = await asyncpg.connect(database)
        try:
            # An empty table is read whole whatever the indexes; refused a sequential scan,
            # the planner shows whether an index could serve.
            await conn.execute("SET enable_seqscan = off")
            rows = await conn.fetch(f"EXPLAIN {number_placeholders(sql)}", 7)
        finally:
            await conn.close()
    else:
        async with aiosqlite.connect(database) as lite, \
                lite.execute(f"EXPLAIN QUERY PLAN {sql}", (7,)) as cur:
            rows = list(await cur.fetchall())
    return "\n".join(str(row[-1]) for row in rows)


async def test_erasure_finds_a_citizens_deliveries_by_index(database: str) -> None:
    db = await open_database(database)
    await db.close()
    found = await plan(database, ERASE)
    assert "deliveries_user" in found and "SCAN deliveries" not in found \
        and "Seq Scan" not in found, found


async def test_a_database_before_migration_23_gets_the_index_keeping_its_rows(
        database: str) -> None:
    users = "INSERT INTO users (user_id, language, first_seen, last_seen) VALUES (?, 'id', 'x', 'x')"
    broadcast = ("INSERT INTO broadcasts (created_at, created_by, text, topic, not_before, state)"
                 " VALUES ('x', 'cli', 'hi', 'announcements', 'x', 'done')")
    delivery = ("INSERT INTO deliveries (broadcast_id, user_id, language, outcome)"
                " VALUES (1, ?, 'id', 'sent')")
    await database_at(database, 22, [(users, (7,)), (users, (8,)), (broadcast, ()),
                                     (delivery, (7,)), (delivery, (8,))])
    db = await open_database(database)
    try:
        assert "deliveries_user" in await plan(database, ERASE)
        assert await outcome_counts(db, 1) == {"sent": 2}
        assert await delete_user(db, 7)
        assert await get_user(db, 7) is None and await get_user(db, 8) is not None
        assert await outcome_counts(db, 1) == {"sent": 1}
    finally:
        await db.close()
