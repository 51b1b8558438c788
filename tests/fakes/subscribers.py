"""Many subscribers at once, written straight into a bot's database (tests and benchmarks)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.storage import open_database

TOPICS = ("countdown", "socialisation", "announcements")  # the bundled and fixture content's


async def bulk_subscribe(database: Path, ids: list[int],
                         language: Callable[[int], str] = lambda _: "id") -> None:
    db = await open_database(database)  # creates the schema
    await db.close()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with sqlite3.connect(database) as conn:
        conn.executemany("INSERT INTO users (user_id, language, first_seen, last_seen)"
                         " VALUES (?, ?, ?, ?)", ((i, language(i), now, now) for i in ids))
        conn.executemany("INSERT INTO subscriptions (user_id, subscribed_at) VALUES (?, ?)",
                         ((i, now) for i in ids))
        conn.executemany("INSERT INTO subscription_topics (user_id, topic) VALUES (?, ?)",
                         ((i, t) for i in ids for t in TOPICS))
