"""Retention purges old unanswered questions and finished broadcasts' per-recipient outcomes,
after rolling them up, so reports still add up; /datasaya's export reads every user table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage import open_database
from bot.storage.broadcasts import iso, outcome_counts
from bot.storage.questions import record_unanswered
from bot.storage.retention import purge
from bot.storage.subscriptions import subscribe
from bot.storage.updates import first_delivery
from bot.storage.users import delete_user, export_user, set_region, touch_user

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def test_old_rows_are_purged_after_being_counted(database: str) -> None:
    db = await open_database(database)
    try:
        await record_unanswered(db, "lama sekali", "id", NOW - timedelta(days=91))
        await record_unanswered(db, "old one", "en", NOW - timedelta(days=95))
        await record_unanswered(db, "baru", "id", NOW - timedelta(days=89))
        for bid, state, finished in ((1, "done", NOW - timedelta(days=31)),
                                     (2, "done", NOW - timedelta(days=29)),
                                     (3, "sending", None)):
            await db.conn.execute(
                "INSERT INTO broadcasts (id, created_at, created_by, text, topic, not_before,"
                " state, finished_at) VALUES (?, ?, 'cli', 'x', 'announcements', ?, ?, ?)",
                (bid, iso(NOW - timedelta(days=40)), iso(NOW - timedelta(days=40)), state,
                 iso(finished) if finished else None))
            for user, outcome in ((1, "sent"), (2, "sent"), (3, "blocked"), (4, None)):
                await db.conn.execute(
                    "INSERT INTO deliveries (broadcast_id, user_id, language, outcome)"
                    " VALUES (?, ?, 'id', ?)", (bid, user, outcome))
        await db.conn.commit()
        before = {b: await outcome_counts(db, b) for b in (1, 2, 3)}

        assert await purge(db, NOW, 90, 30) == {"questions": 2, "outcomes": 4, "updates": 0,
                                                "answers": 0, "daily_counts": 0}
        assert await purge(db, NOW, 90, 30) == {"questions": 0, "outcomes": 0, "updates": 0,
                                                "answers": 0, "daily_counts": 0}   # idempotent
        assert {b: await outcome_counts(db, b) for b in (1, 2, 3)} == before
        async with db.conn.execute("SELECT text FROM unanswered_questions") as cur:
            assert [r[0] for r in await cur.fetchall()] == ["baru"]
        async with db.conn.execute("SELECT day, language, count FROM unanswered_daily"
                                   " ORDER BY day") as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [
                ((NOW - timedelta(days=95)).date().isoformat(), "en", 1),
                ((NOW - timedelta(days=91)).date().isoformat(), "id", 1)]
        async with db.conn.execute("SELECT broadcast_id, COUNT(*) FROM deliveries"
                                   " GROUP BY 1") as cur:
            assert dict(await cur.fetchall()) == {2: 4, 3: 4}   # recent and running: kept
    finally:
        await db.close()


async def test_handled_update_ids_are_forgotten_after_a_day(database: str) -> None:
    db = await open_database(database)
    try:
        for update_id, age in ((1, timedelta(days=2)), (2, timedelta(hours=25)),
                               (3, timedelta(hours=23)), (4, timedelta(minutes=1))):
            assert await first_delivery(db, update_id, NOW - age)
        assert not await first_delivery(db, 1, NOW)          # this process remembers it
        postgres = db.dialect == "postgres"
        # On PostgreSQL the ids are rows every process sees; SQLite keeps them in memory only.
        assert (await purge(db, NOW, 90, 30))["updates"] == (2 if postgres else 0)
        async with db.conn.execute("SELECT update_id FROM processed_updates"
                                   " ORDER BY update_id") as cur:
            assert [r[0] for r in await cur.fetchall()] == ([3, 4] if postgres else [])
    finally:
        await db.close()
    db = await open_database(database)       # another process, after the purge
    try:
        assert await first_delivery(db, 1, NOW)              # purged: a stranger again
        # Kept on PostgreSQL: still handled once; a new SQLite process has no memory of it.
        assert await first_delivery(db, 3, NOW) is (not postgres)
    finally:
        await db.close()


async def test_the_export_holds_every_row_about_the_user_and_nothing_else(database: str) -> None:
    db = await open_database(database)
    try:
        await touch_user(db, 42, "id", NOW)
        await touch_user(db, 43, "en", NOW)
        await set_region(db, 42, "16.03.01.2001")
        await subscribe(db, 42, NOW, ["countdown"])
        await db.conn.execute("INSERT INTO daily_counts (user_id, day, count) VALUES (42, 'd', 1)")
        await db.conn.commit()
        found = await export_user(db, 42)
        assert set(found) == {"users", "subscriptions", "subscription_topics", "daily_counts"}
        assert found["users"][0]["region_code"] == "16.03.01.2001"
        assert all(row["user_id"] == 42 for rows in found.values() for row in rows)
        await delete_user(db, 42)
        assert await export_user(db, 42) == {}            # deleted means all of it
        assert set(await export_user(db, 43)) == {"users"}
    finally:
        await db.close()


async def test_two_purges_at_once_count_each_old_question_once(pg_url: str) -> None:
    """Two processes' purges overlapping (a leadership changing hands mid-purge): one waits
    for the other, so an old question is rolled up once, not twice."""
    import asyncio

    import asyncpg
    one, two = await open_database(pg_url), await open_database(pg_url)
    day = (NOW - timedelta(days=91)).date().isoformat()
    holder = await asyncpg.connect(pg_url)
    try:
        await record_unanswered(one, "lama sekali", "id", NOW - timedelta(days=91))
        await one.write("INSERT INTO unanswered_daily (day, language, count) VALUES (?, 'id', 0)",
                        (day,))
        # The day's row held a moment, so that both purges are under way together.
        tx = holder.transaction()
        await tx.start()
        await holder.execute("SELECT 1 FROM unanswered_daily WHERE day = $1 FOR UPDATE", day)
        first = asyncio.create_task(purge(one, NOW, 90, 30))
        await asyncio.sleep(0.3)
        second = asyncio.create_task(purge(two, NOW, 90, 30))
        await asyncio.sleep(0.3)
        await tx.commit()
        done = await asyncio.gather(first, second)
        assert sorted(d["questions"] for d in done) == [0, 1]
        async with one.conn.execute("SELECT count FROM unanswered_daily WHERE day = ?",
                                    (day,)) as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [(1,)]
    finally:
        await holder.close()
        await one.close()
        await two.close()
