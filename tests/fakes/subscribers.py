"""Many subscribers at once, written straight into a bot's database (tests and benchmarks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.storage import Database, open_database
from bot.storage.subscriptions import subscribe
from bot.storage.users import touch_user

TOPICS = ("countdown", "socialisation", "announcements")  # the bundled and fixture content's


async def bulk_subscribe(database: Path | str, ids: list[int],
                         language: Callable[[int], str] = lambda _: "id") -> None:
    """On either backend: a SQLite file's path or a PostgreSQL URL."""
    db = await open_database(database)  # creates the schema
    now = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        async with db.transaction() as conn:
            await conn.executemany("INSERT INTO users (user_id, language, first_seen, last_seen)"
                                   " VALUES (?, ?, ?, ?)", [(i, language(i), now, now) for i in ids])
            await conn.executemany("INSERT INTO subscriptions (user_id, subscribed_at)"
                                   " VALUES (?, ?)", [(i, now) for i in ids])
            await conn.executemany("INSERT INTO subscription_topics (user_id, topic) VALUES (?, ?)",
                                   [(i, t) for i in ids for t in TOPICS])
    finally:
        await db.close()


async def execute(database: Path | str, sql: str, rows: list[tuple[object, ...]]) -> None:
    """Statements straight into a bot's database (either backend), one transaction."""
    db = await open_database(database)
    try:
        async with db.transaction() as conn:
            await conn.executemany(sql, rows)
    finally:
        await db.close()


async def query(database: Path | str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    db = await open_database(database)
    try:
        async with db.conn.execute(sql, params) as cur:
            return [tuple(r) for r in await cur.fetchall()]
    finally:
        await db.close()


async def subscribe_through(db: Database, ids: list[int], now: datetime,
                            language: Callable[[int], str] = lambda _: "id") -> None:
    """Subscribers made through the running bot's own connection (no second writer)."""
    for i in ids:
        await touch_user(db, i, language(i), now)
        await subscribe(db, i, now, TOPICS)
