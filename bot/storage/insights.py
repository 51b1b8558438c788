"""What officials see: daily counters (no text, no user id), the aggregates behind
/statistik, the unanswered questions to group, and the marks officials put on groups. With
`region` (a kabupaten/kota code, or a province's), each reads only that region's: subscribers by their saved
region, counters by the citizen's place, questions by the asker's kabupaten/kota."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.storage.broadcast_lists import in_region, list_broadcasts
from bot.storage.broadcasts import iso, outcome_counts
from bot.storage.db import Database

# (day, metric, topic, kecamatan (or only the kabupaten/kota), language, campaign)
StatKey = tuple[str, str, str, str, str, str]
MARKS = ("handled", "out_of_scope", "needs_answer")


async def add_daily_stats(db: Database, counts: Iterable[tuple[StatKey, int]]) -> None:
    rows = [(*key, n) for key, n in counts]
    if not rows:
        return
    async with db.transaction() as conn:
        # The whole deployment's row of each (day, metric) first, in order (migration 0018's
        # triggers write it after each counter's own rows): two processes adding to the same
        # metric wait for each other here instead of deadlocking over the rows after it.
        await conn.executemany(
            "INSERT INTO stat_scope_days (scope, day, metric, count) VALUES ('*', ?, ?, 0)"
            " ON CONFLICT (scope, day, metric) DO UPDATE SET count = stat_scope_days.count",
            sorted({(row[0], row[1]) for row in rows}))
        await conn.executemany(
            "INSERT INTO daily_stats (day, metric, topic, kecamatan, language, campaign, count)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, metric, topic, kecamatan, language,"
            " campaign) DO UPDATE SET count = daily_stats.count + excluded.count", rows)


def _scope(region: str | None) -> str | None:
    """The scope whose counts are kept for `region` (migration 0018): '*' for the whole
    deployment, a province's or a kabupaten/kota's own code; None for a smaller region."""
    if region is None:
        return "*"
    return region if len(region) in (2, 5) else None


async def _rows(db: Database, sql: str, params: tuple[object, ...] = ()) -> list[tuple[str, int]]:
    async with db.conn.execute(sql, params) as cur:
        return [(str(r[0]), int(r[1])) for r in await cur.fetchall()]


async def subscribers_by_day(db: Database, region: str | None = None) -> list[tuple[str, int]]:
    """Active subscribers by the day they subscribed (the chart adds them up): from the counts
    kept per day and scope (migration 0018), not from the subscribers."""
    scope = _scope(region)
    if scope is not None:
        return await _rows(db, "SELECT day, count FROM subscriber_scope_days WHERE scope = ?"
                               " AND count > 0 ORDER BY day", (scope,))
    where, params = in_region("kabupaten", region)
    return await _rows(db, f"SELECT day, SUM(count) FROM subscriber_days WHERE {where}"
                           " GROUP BY day HAVING SUM(count) > 0 ORDER BY day", params)


async def subscriber_breakdown(db: Database, region: str | None = None
                               ) -> list[tuple[str, str, str, int]]:
    """Active subscribers by (kecamatan, language, campaign), as kept (migration 0016); the
    kecamatan is the region code's first three parts (only the kabupaten/kota's code when
    that is all they chose), '' when they chose none."""
    where, params = in_region("kecamatan", region)
    async with db.conn.execute(
            "SELECT kecamatan, language, campaign, count FROM subscriber_groups"
            f" WHERE count > 0 AND {where}", params) as cur:
        return [(r[0], r[1], r[2], int(r[3])) for r in await cur.fetchall()]


async def metric_totals(db: Database, since: str = "", region: str | None = None
                        ) -> list[tuple[str, str, int]]:
    """(metric, topic, count) over the daily counters from `since` (a day) on; over all days,
    from their totals as kept per scope (migration 0018)."""
    where, params = in_region("kecamatan", region)
    scope = _scope(region)
    if not since and scope is not None:
        async with db.conn.execute("SELECT metric, topic, count FROM stat_scope_totals"
                                   " WHERE scope = ?", (scope,)) as cur:
            return [(r[0], r[1], int(r[2])) for r in await cur.fetchall()]
    if not since:
        async with db.conn.execute(f"SELECT metric, topic, SUM(count) FROM stat_totals"
                                   f" WHERE {where} GROUP BY metric, topic", params) as cur:
            return [(r[0], r[1], int(r[2])) for r in await cur.fetchall()]
    async with db.conn.execute(
            f"SELECT metric, topic, SUM(count) FROM daily_stats WHERE day >= ? AND {where}"
            " GROUP BY metric, topic", (since, *params)) as cur:
        return [(r[0], r[1], int(r[2])) for r in await cur.fetchall()]


async def metric_by_day(db: Database, metrics: tuple[str, ...], since: str = "",
                        region: str | None = None) -> list[tuple[str, str, int]]:
    """(day, metric, count) from `since` on, oldest first: the scope's days as kept
    (migration 0018), not the counters of every place."""
    marks = ",".join("?" * len(metrics))
    scope = _scope(region)
    if scope is not None:
        async with db.conn.execute(
                f"SELECT day, metric, count FROM stat_scope_days WHERE scope = ? AND day >= ?"
                f" AND metric IN ({marks}) ORDER BY day", (scope, since, *metrics)) as cur:
            return [(r[0], r[1], int(r[2])) for r in await cur.fetchall()]
    where, params = in_region("kecamatan", region)
    async with db.conn.execute(
            f"SELECT day, metric, SUM(count) FROM daily_stats WHERE metric IN ({marks})"
            f" AND day >= ? AND {where} GROUP BY day, metric ORDER BY day",
            (*metrics, since, *params)) as cur:
        return [(r[0], r[1], int(r[2])) for r in await cur.fetchall()]


async def metric_by_region(db: Database, metrics: tuple[str, ...], region: str | None = None
                           ) -> list[tuple[str, int]]:
    """(kabupaten/kota code, count) of `metrics` over all days (within `region`); '' for
    citizens of no region. From the kabupaten/kota scopes' totals (migration 0018): five
    characters, or '' (its province's scope is ''), never a province's two."""
    marks = ",".join("?" * len(metrics))
    if _scope(region) is None:     # within a kecamatan: its counters
        where, params = in_region("kecamatan", region)
        return await _rows(db, "SELECT substr(kecamatan, 1, 5), SUM(count) FROM stat_totals"
                               f" WHERE metric IN ({marks}) AND {where} GROUP BY 1",
                           (*metrics, *params))
    where, params = in_region("scope", region)
    return await _rows(db, "SELECT scope, SUM(count) FROM stat_scope_totals"
                           f" WHERE metric IN ({marks}) AND length(scope) IN (0, 5) AND {where}"
                           " GROUP BY 1", (*metrics, *params))


async def broadcast_outcome_totals(db: Database, limit: int = 10, region: str | None = None
                                   ) -> list[tuple[int, str, str, dict[str, int]]]:
    """The latest broadcasts: (id, state, created_by, counts per outcome)."""
    return [(b.id, b.state, b.created_by, await outcome_counts(db, b.id))
            for b in await list_broadcasts(db, limit, region)]


async def unanswered_texts(db: Database, since: str = "", limit: int = 200_000,
                           region: str | None = None) -> list[tuple[str, str]]:
    """(text, asked_at) of the questions that got "I don't know", newest first. Their region
    is a kabupaten/kota's code: one's are found by it, a province's by its first two
    characters (indexes of migrations 0009, 0018), newest first, however many there are."""
    where, params = in_region("region", region)
    if region is not None and len(region) in (2, 5):
        where, params = ("region = ?" if len(region) == 5 else "substr(region, 1, 2) = ?"), (region,)
    async with db.conn.execute(
            "SELECT text, asked_at FROM unanswered_questions WHERE entry_id IS NULL"
            f" AND asked_at >= ? AND {where} ORDER BY id DESC LIMIT ?",
            (since, *params, limit)) as cur:
        return [(r[0], r[1]) for r in await cur.fetchall()]


async def newest_unanswered(db: Database) -> int:
    """The id of the latest unanswered question (0: none): what changes when one comes in."""
    async with db.conn.execute("SELECT MAX(id) FROM unanswered_questions") as cur:
        row = await cur.fetchone()
    return int(row[0] or 0) if row else 0


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
