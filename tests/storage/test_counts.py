"""The counts /statistik reads are kept as subscribers and counters change (migration 0016's
triggers), on both backends: after every kind of change they equal a count of the rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Database, open_database
from bot.storage.broadcasts import (
    Outcome,
    create_broadcast,
    get_broadcast,
    iso,
    record_outcomes,
    start_sending,
)
from bot.storage.campaigns import create_campaign, record_arrival
from bot.storage.insights import (
    add_daily_stats,
    broadcast_outcome_totals,
    metric_by_day,
    metric_by_region,
    metric_totals,
    subscriber_breakdown,
    subscribers_by_day,
    unanswered_texts,
)
from bot.storage.questions import record_unanswered
from bot.storage.retention import purge
from bot.storage.subscriptions import subscribe, unsubscribe
from bot.storage.transfer import copy_to_postgres
from bot.storage.users import delete_user, set_language, set_region, touch_user
from tests.postgres import create_database, drop_database

NOW = datetime(2029, 2, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
async def db(database: str) -> AsyncIterator[Database]:
    opened = await open_database(database)
    try:
        yield opened
    finally:
        await opened.close()


async def counted(db: Database, region: str | None = None
                  ) -> tuple[list[tuple[str, int]], list[tuple[str, str, str, int]]]:
    """What the kept counts should say, counted from the rows."""
    where = "1 = 1" if region is None else f"u.region_code LIKE '{region}%'"
    join = "FROM subscriptions s JOIN users u ON u.user_id = s.user_id"
    async with db.conn.execute(f"SELECT substr(s.subscribed_at, 1, 10), COUNT(*) {join}"
                               f" WHERE s.active = 1 AND {where} GROUP BY 1 ORDER BY 1") as cur:
        days = [(str(r[0]), int(r[1])) for r in await cur.fetchall()]
    async with db.conn.execute(
            "SELECT COALESCE(substr(u.region_code, 1, 8), ''), u.language,"
            f" COALESCE(u.campaign, ''), COUNT(*) {join} WHERE s.active = 1 AND {where}"
            " GROUP BY 1, 2, 3") as cur:
        groups = [(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in await cur.fetchall()]
    return days, sorted(groups)


async def kept(db: Database, region: str | None = None
               ) -> tuple[list[tuple[str, int]], list[tuple[str, str, str, int]]]:
    return (await subscribers_by_day(db, region),
            sorted(await subscriber_breakdown(db, region)))


async def test_subscriber_counts_follow_every_change(db: Database) -> None:
    await create_campaign(db, "kampus", "Kampus", 1, NOW)
    for i in range(12):
        when = NOW + timedelta(days=i % 3)
        await touch_user(db, 100 + i, "id" if i % 4 else "en", when)
        if i < 10:
            await subscribe(db, 100 + i, when, ["announcements"])
        if i % 2:
            await set_region(db, 100 + i, "16.03.05.2001" if i % 3 else "16.71")
    assert (await kept(db)) == (await counted(db))
    assert sum(n for _, n in await subscribers_by_day(db)) == 10
    await set_region(db, 101, "16.04.01.1001")     # moves to another kabupaten/kota
    await set_language(db, 102, "en")
    await record_arrival(db, "kampus", 103, NOW, new_user=True)    # a campaign brings them in
    await unsubscribe(db, 104)
    await subscribe(db, 104, NOW, ["announcements"])     # back again
    await unsubscribe(db, 105)
    await subscribe(db, 110, NOW + timedelta(days=5), ["countdown"])   # a new subscriber
    await set_region(db, 111, "16.03.01.1001")      # not subscribed: counts nothing
    assert await delete_user(db, 107)               # a citizen's data erased
    assert (await kept(db)) == (await counted(db))
    assert (await kept(db, "16.03")) == (await counted(db, "16.03"))
    assert sum(n for _, n in await subscribers_by_day(db)) == 9
    assert sum(n for _, n in await subscribers_by_day(db, "16.04")) == 1


async def test_stat_totals_follow_the_daily_counters(db: Database) -> None:
    day1, day2 = "2029-02-01", "2029-02-02"
    await add_daily_stats(db, [((day1, "answered", "tps", "16.03.05", "id", ""), 3),
                               ((day1, "unknown", "", "16.71", "id", ""), 1)])
    await add_daily_stats(db, [((day1, "answered", "tps", "16.03.05", "id", ""), 2),
                               ((day2, "answered", "tps", "16.03.05", "en", ""), 4)])
    assert sorted(await metric_totals(db)) == [("answered", "tps", 9), ("unknown", "", 1)]
    assert sorted(await metric_totals(db, since=day2)) == [("answered", "tps", 4)]
    assert await metric_totals(db, region="16.71") == [("unknown", "", 1)]
    assert sorted(await metric_by_region(db, ("answered", "unknown"))) == [
        ("16.03", 9), ("16.71", 1)]


async def test_db_copy_keeps_the_counts_and_their_triggers(tmp_path: Path, pg_admin_url: str
                                                          ) -> None:
    source = tmp_path / "bot.sqlite3"
    lite = await open_database(source)
    for i in range(6):
        await touch_user(lite, 300 + i, "id", NOW)
        await subscribe(lite, 300 + i, NOW, ["announcements"])
        await set_region(lite, 300 + i, "16.03.05.2001")
    await unsubscribe(lite, 301)
    expected = await kept(lite)
    await lite.close()
    url = await create_database(pg_admin_url)
    try:
        await copy_to_postgres(source, url, report=lambda _: None)
        pg = await open_database(url)
        try:
            assert (await kept(pg)) == expected == (await counted(pg))   # not counted twice
            await touch_user(pg, 400, "en", NOW)
            await subscribe(pg, 400, NOW, ["announcements"])            # triggers on again
            assert (await kept(pg)) == (await counted(pg))
            assert sum(n for _, n in await subscribers_by_day(pg)) == 6
        finally:
            await pg.close()
    finally:
        await drop_database(pg_admin_url, url)


async def from_counters(db: Database, region: str | None, since: str
                        ) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]],
                                   list[tuple[str, int]]]:
    """What the scopes' counts (migration 0018) should say, summed from daily_stats' rows."""
    where = "1 = 1" if region is None else f"(kecamatan = '{region}' OR kecamatan LIKE '{region}.%')"
    async with db.conn.execute(f"SELECT day, metric, SUM(count) FROM daily_stats WHERE {where}"
                               f" AND day >= '{since}' AND metric IN ('answered', 'unknown')"
                               " GROUP BY 1, 2") as cur:
        days = sorted((str(r[0]), str(r[1]), int(r[2])) for r in await cur.fetchall())
    async with db.conn.execute(f"SELECT metric, topic, SUM(count) FROM daily_stats"
                               f" WHERE {where} GROUP BY 1, 2") as cur:
        totals = sorted((str(r[0]), str(r[1]), int(r[2])) for r in await cur.fetchall())
    async with db.conn.execute(f"SELECT substr(kecamatan, 1, 5), SUM(count) FROM daily_stats"
                               f" WHERE {where} AND metric IN ('answered', 'unknown')"
                               " GROUP BY 1") as cur:
        regions = sorted((str(r[0]), int(r[1])) for r in await cur.fetchall())
    return days, totals, regions


async def test_each_scope_reads_the_counts_of_its_places(db: Database) -> None:
    """The whole deployment's, a province's and a kabupaten/kota's counters, read from their
    scopes' rows, equal the counters of their places summed; citizens of no region count in
    the whole only."""
    places = ("16.03.05", "16.03.01", "16.71", "16.04.02", "32.01.07", "")
    for i in range(40):
        day = f"2029-02-0{1 + i % 4}"
        await add_daily_stats(db, [((day, ("answered", "unknown", "start")[i // 6 % 3],
                                     ("tps", "")[i % 2], places[i % len(places)],
                                     ("id", "en")[i % 2], ""), 1 + i % 5)])
    for i in range(9):
        day = NOW + timedelta(days=i % 2)
        await touch_user(db, 500 + i, "id", day)
        await subscribe(db, 500 + i, day, ["announcements"])
        await set_region(db, 500 + i, ("16.03.05.2001", "16.71", "32.01.07.1001")[i % 3])
    await unsubscribe(db, 503)
    for region in (None, "16", "16.03", "16.71", "32", "32.01", "16.03.05"):
        days, totals, regions = await from_counters(db, region, "2029-02-02")
        assert sorted(await metric_by_day(db, ("answered", "unknown"), "2029-02-02", region)
                      ) == days, region
        assert sorted(await metric_totals(db, region=region)) == totals, region
        assert sorted(await metric_by_region(db, ("answered", "unknown"), region)) == regions
        if region is None or len(region) <= 5:      # subscribers are kept by kabupaten/kota
            assert (await kept(db, region)) == (await counted(db, region)), region
        assert days and totals and regions, region      # the data reaches every scope
    no_region = await from_counters(db, None, "")
    assert any(code == "" for code, _ in no_region[2])


async def test_a_regions_unanswered_questions_newest_first(db: Database) -> None:
    """A kabupaten/kota's and a province's questions (by index, migration 0018) are the ones
    asked in their places, newest first."""
    places = ("16.03", "16.71", "32.01", None)
    for i in range(24):
        await record_unanswered(db, f"tanya {i}", "id", NOW + timedelta(minutes=i),
                                region=places[i % 4])
    for region, expected in (("16", [i for i in range(24) if i % 4 < 2]),
                             ("16.71", [i for i in range(24) if i % 4 == 1]),
                             ("32", [i for i in range(24) if i % 4 == 2]), (None, range(24))):
        got = await unanswered_texts(db, limit=5, region=region)
        assert [text for text, _ in got] == [f"tanya {i}" for i in sorted(expected)[::-1][:5]]


async def delivery_rows(db: Database) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """Per broadcast and outcome: the recipients' rows counted, and those rows plus the counts
    the purge rolled up (what the summary should say)."""
    rows: dict[int, dict[str, int]] = {}
    async with db.conn.execute("SELECT broadcast_id, COALESCE(outcome, 'pending'), COUNT(*)"
                               " FROM deliveries GROUP BY 1, 2") as cur:
        for bid, outcome, n in await cur.fetchall():
            rows.setdefault(int(bid), {})[str(outcome)] = int(n)
    total = {bid: dict(counts) for bid, counts in rows.items()}
    async with db.conn.execute("SELECT broadcast_id, outcome, count FROM broadcast_outcomes") as cur:
        for bid, outcome, n in await cur.fetchall():
            counts = total.setdefault(int(bid), {})
            counts[str(outcome)] = counts.get(str(outcome), 0) + int(n)
    return rows, total


async def test_the_broadcast_summary_equals_the_delivery_rows_counted(db: Database) -> None:
    """Migration 0019's counts follow the snapshot, outcomes, an erasure and the purge: the
    summary /statistik reads from them equals the rows counted."""
    for uid in range(700, 712):
        await touch_user(db, uid, "id", NOW)
        await subscribe(db, uid, NOW, ["announcements"])
    ids = [await create_broadcast(db, created_by="cli", topic="announcements", text=f"b{n}",
                                  not_before=NOW, now=NOW) for n in range(3)]
    for bid in ids:
        broadcast = await get_broadcast(db, bid)
        assert broadcast is not None
        await start_sending(db, broadcast, NOW, chunk=5)    # the snapshot, chunk by chunk
    await record_outcomes(db, ids[0], [Outcome(u, "sent", None, 1) for u in range(700, 709)]
                          + [Outcome(709, "blocked", "blocked", 1)], NOW, "2029-02-01", True)
    await record_outcomes(db, ids[1], [Outcome(700, "failed", "x", 3)], NOW, "2029-02-01", True)
    await record_outcomes(db, ids[1], [Outcome(700, "sent", None, 3)], NOW, "2029-02-01", True)
    async with db.transaction() as conn:        # no outcome changes: no count changes
        await conn.execute("UPDATE deliveries SET attempts = attempts + 1 WHERE broadcast_id = ?",
                           (ids[2],))
    assert await delete_user(db, 711)               # a citizen's rows erased
    rows, total = await delivery_rows(db)
    assert rows[ids[0]] == {"sent": 9, "blocked": 1, "pending": 1}
    assert rows[ids[1]] == {"failed": 1, "pending": 10}
    async with db.conn.execute("SELECT broadcast_id, outcome, count FROM delivery_counts"
                               " WHERE count <> 0") as cur:
        kept_counts = sorted((int(b), str(o), int(n)) for b, o, n in await cur.fetchall())
    assert kept_counts == sorted((b, o, n) for b, c in rows.items() for o, n in c.items())
    assert {b: c for b, _, _, c in await broadcast_outcome_totals(db)} == total
    # The first, done long ago, purged: its counts rolled up, the summary unchanged.
    async with db.transaction() as conn:
        await conn.execute("UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ?",
                           (iso(NOW - timedelta(days=40)), ids[0]))
    assert (await purge(db, NOW, 90, 30))["outcomes"] == 11
    rows, total = await delivery_rows(db)
    assert ids[0] not in rows and total[ids[0]] == {"sent": 9, "blocked": 1, "pending": 1}
    assert {b: c for b, _, _, c in await broadcast_outcome_totals(db)} == total
