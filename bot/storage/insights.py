"""What officials see: daily counters (no text, no user id), the aggregates behind
/statistik, the unanswered questions to group, and the marks officials put on groups."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.storage.broadcasts import iso, list_broadcasts, outcome_counts
from bot.storage.db import Database

# (day, metric, topic, kecamatan, language, campaign)
StatKey = tuple[str, str, str, str, str, str]
MARKS = ("handled", "out_of_scope", "needs_answer")


async def add_daily_stats(db: Database, counts: Iterable[tuple[StatKey, int]]) -> None:
    rows = [(*key, n) for key, n in counts]
    if not rows:
        return
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO daily_stats (day, metric, topic, kecamatan, language, campaign, count)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, metric, topic, kecamatan, language,"
            " campaign) DO UPDATE SET count = daily_stats.count + excluded.count", rows)


async def _rows(db: Database, sql: str, params: tuple[object, ...] = ()) -> list[tuple[str, int]]:
    async with db.conn.execute(sql, params) as cur:
        return [(str(r[0]), int(r[1])) for r in await cur.fetchall()]


async def subscribers_by_day(db: Database) -> list[tuple[str, int]]:
    """Active subscribers by the day they subscribed (the chart adds them up)."""
    return await _rows(db, "SELECT substr(subscribed_at, 1, 10), COUNT(*) FROM subscriptions"
                           " WHERE active = 1 GROUP BY 1 ORDER BY 1")


async def subscriber_breakdown(db: Database) -> list[tuple[str, str, str, int]]:
    """Active subscribers by (kecamatan, language, campaign), in one pass over them; the
    kecamatan is the region code's first three parts, '' when no village was chosen."""
    async with db.conn.execute(
            "SELECT COALESCE(substr(u.region_code, 1, 8), ''), u.language,"
            " COALESCE(u.campaign, ''), COUNT(*) FROM subscriptions s JOIN users u"
            " ON u.user_id = s.user_id WHERE s.active = 1 GROUP BY 1, 2, 3") as cur:
        return [(r[0], r[1], r[2], int(r[3])) for r in await cur.fetchall()]


async def metric_totals(db: Database, since: str = "") -> list[tuple[str, str, int]]:
    """(metric, topic, count) over the daily counters from `since` (a day) on."""
    async with db.conn.execute(
            "SELECT metric, topic, SUM(count) FROM daily_stats WHERE day >= ?"
            " GROUP BY metric, topic", (since,)) as cur:
        return [(r[0], r[1], int(r[2])) for r in await cur.fetchall()]


async def metric_by_day(db: Database, metrics: tuple[str, ...],
                        since: str = "") -> list[tuple[str, str, int]]:
    marks = ",".join("?" * len(metrics))
    async with db.conn.execute(
            f"SELECT day, metric, SUM(count) FROM daily_stats WHERE metric IN ({marks})"
            " AND day >= ? GROUP BY day, metric ORDER BY day", (*metrics, since)) as cur:
        return [(r[0], r[1], int(r[2])) for r in await cur.fetchall()]


async def broadcast_outcome_totals(db: Database, limit: int = 10
                                   ) -> list[tuple[int, str, str, dict[str, int]]]:
    """The latest broadcasts: (id, state, created_by, counts per outcome)."""
    return [(b.id, b.state, b.created_by, await outcome_counts(db, b.id))
            for b in await list_broadcasts(db, limit)]


async def unanswered_texts(db: Database, since: str = "", limit: int = 200_000
                           ) -> list[tuple[str, str]]:
    """(text, asked_at) of the questions that got "I don't know", newest first."""
    async with db.conn.execute(
            "SELECT text, asked_at FROM unanswered_questions WHERE entry_id IS NULL"
            " AND asked_at >= ? ORDER BY id DESC LIMIT ?", (since, limit)) as cur:
        return [(r[0], r[1]) for r in await cur.fetchall()]


async def mark_group(db: Database, key: str, status: str, by: str, now: datetime) -> None:
    if status not in MARKS:
        raise ValueError(f"unknown mark {status!r}")
    await db.write("INSERT INTO question_marks (group_key, status, marked_by, marked_at)"
                   " VALUES (?, ?, ?, ?) ON CONFLICT (group_key) DO UPDATE SET"
                   " status = excluded.status, marked_by = excluded.marked_by,"
                   " marked_at = excluded.marked_at", (key, status, by, iso(now)))


async def group_marks(db: Database) -> dict[str, str]:
    async with db.conn.execute("SELECT group_key, status FROM question_marks") as cur:
        return {r[0]: r[1] for r in await cur.fetchall()}
