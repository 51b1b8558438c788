"""A deployment's data at national size, written fast straight into its database: subscribers
(users, subscriptions, topics), unanswered questions and daily counters, on invented region
codes shaped like Kemendagri's (38 provinces, about 514 kabupaten/kota, 14 kecamatan each).

PostgreSQL: binary COPY (asyncpg copy_records_to_table) with the counting triggers off, then
the kept counts (migrations 0016, 0018) computed once and ANALYZE. SQLite: executemany, triggers on.
Everything is derived from the row number (no randomness): two runs write the same rows.

    python -m benchmarks.national_data --to postgresql://... --subscribers 10000000
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from bot.storage import open_database
from bot.storage.urls import is_postgres_url

FIRST_ID = 1_000_000_000
PROVINCES = (11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61,
             62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96)
KABUPATEN = [f"{p}.{k:02d}" for p in PROVINCES for k in range(1, 15)][:514]
KECAMATAN_PER = 14
CAMPAIGNS = ("kampus-a", "kampus-b", "sma-c")
TODAY = date(2029, 2, 1)
# Invented questions in our own words, varied by a number so they group like real ones do.
QUESTIONS = ("kapan batas pindah memilih untuk pemilih di desa {n}",
             "apakah boleh mencoblos pakai ktp lama nomor {n}",
             "di mana tps untuk warga rt {n}", "bagaimana cara lapor politik uang di kampung {n}",
             "jam berapa tps tutup di wilayah {n}", "kenapa nama saya tidak ada di dpt {n}",
             "siapa saja calon di dapil {n}", "bisa memilih di rumah sakit nomor {n}")
STAT_METRICS = (("start", ""), ("answered", "tps"), ("answered", "memilih"),
                ("answered", "pindah"), ("suggested", ""), ("unknown", ""), ("declined", ""),
                ("helpful", ""), ("subscribed", ""))


_REGIONS: dict[tuple[int, int, int], str] = {}


def region_of(i: int) -> str | None:
    """85% a village, 5% only a kabupaten/kota, 10% none."""
    if i % 20 < 2:
        return None
    kab = KABUPATEN[(i * 7919) % len(KABUPATEN)]
    if i % 20 == 2:
        return kab
    key = ((i * 7919) % len(KABUPATEN), (i * 31) % KECAMATAN_PER, i % 20)
    code = _REGIONS.get(key)
    if code is None:
        code = _REGIONS[key] = f"{kab}.{key[1] + 1:02d}.{2000 + key[2]:04d}"
    return code


def users(start: int, count: int) -> Iterator[tuple[Any, ...]]:
    seen = "2028-01-01T00:00:00.000+00:00"
    for i in range(start, start + count):
        campaign = CAMPAIGNS[i % 3] if i % 50 == 0 else None
        yield (FIRST_ID + i, "en" if i % 10 == 0 else "id", 0, seen, seen, campaign, region_of(i))


def subscriptions(start: int, count: int) -> Iterator[tuple[Any, ...]]:
    days = [f"{(TODAY - timedelta(days=d)).isoformat()}T08:00:00" for d in range(400)]
    for i in range(start, start + count):
        yield (FIRST_ID + i, 0 if i % 20 == 19 else 1, None, days[(i * 13) % 400])


def topics(start: int, count: int) -> Iterator[tuple[Any, ...]]:
    for i in range(start, start + count):
        yield (FIRST_ID + i, "announcements")
        if i % 10 < 3:
            yield (FIRST_ID + i, "countdown")
            yield (FIRST_ID + i, "socialisation")


# Half the questions are draws of these words (the worst case for grouping: few repeat).
WORDS = ("pemilu", "tps", "ktp", "dpt", "pindah", "memilih", "calon", "dapil", "surat", "suara",
         "coblos", "jadwal", "kampanye", "saksi", "hasil", "hitung", "desa", "kecamatan",
         "kota", "pengawas", "laporan", "uang", "politik", "netral", "pegawai", "disabilitas",
         "rumah", "sakit", "penjara", "mahasiswa", "perantau", "luar", "negeri", "formulir",
         "daftar", "tambahan", "khusus", "antre", "tinta", "bilik", "kotak", "segel", "petugas",
         "kpps", "ppk", "bawaslu", "partai", "nomor", "urut", "debat", "visi", "misi", "program",
         "libur", "jam", "buka", "tutup", "pagi", "siang", "sore")


def question_text(i: int) -> str:
    if i % 2:
        return QUESTIONS[(i * 5) % len(QUESTIONS)].format(n=(i * 37) % 400)
    picks = [WORDS[((i * 2_654_435_761) >> (6 * j)) % len(WORDS)] for j in range(6)]
    return "apa " + " ".join(picks[: 3 + i % 4]) + f" {i % 97}"


def questions(start: int, count: int) -> Iterator[tuple[Any, ...]]:
    for i in range(start, start + count):
        asked = TODAY - timedelta(days=(i * 7) % 80, seconds=i % 86_400)
        text = question_text(i)
        region = KABUPATEN[(i * 104_729) % len(KABUPATEN)] if i % 10 else None
        yield (FIRST_ID + i, text, "en" if i % 10 == 0 else "id",
               f"{asked.isoformat()}T10:00:00", None, region)


def daily_stats(days: int) -> Iterator[tuple[Any, ...]]:
    """Per day and kabupaten/kota: one kecamatan's counters (9 rows), for `days` days."""
    for d in range(days):
        day = (TODAY - timedelta(days=d)).isoformat()
        for k, kab in enumerate(KABUPATEN):
            kecamatan = f"{kab}.{(d + k) % KECAMATAN_PER + 1:02d}"
            for m, (metric, topic) in enumerate(STAT_METRICS):
                yield (day, metric, topic, kecamatan, "id", "", 1 + (d * 3 + k + m) % 40)


TABLES = {
    "users": ("user_id", "language", "language_set", "first_seen", "last_seen", "campaign",
              "region_code"),
    "subscriptions": ("user_id", "active", "inactive_reason", "subscribed_at"),
    "subscription_topics": ("user_id", "topic"),
    "unanswered_questions": ("id", "text", "language", "asked_at", "entry_id", "region"),
    "daily_stats": ("day", "metric", "topic", "kecamatan", "language", "campaign", "count"),
}
def scoped(table: str, source: str, code: str, keys: str) -> str:
    """Migration 0018's counts per scope, from 0016's table."""
    return (f"INSERT INTO {table} (scope, {keys}, count)"
            f" SELECT '*', {keys}, SUM(count) FROM {source} GROUP BY {keys}"
            f" UNION ALL SELECT substr({code}, 1, 2), {keys}, SUM(count) FROM {source}"
            f" GROUP BY substr({code}, 1, 2), {keys}"
            f" UNION ALL SELECT substr({code}, 1, 5), {keys}, SUM(count) FROM {source}"
            f" WHERE length({code}) >= 5 GROUP BY substr({code}, 1, 5), {keys}")


RECOUNT = (
    "DELETE FROM subscriber_days", "DELETE FROM subscriber_groups", "DELETE FROM stat_totals",
    "INSERT INTO subscriber_days (day, kabupaten, count) SELECT substr(s.subscribed_at, 1, 10),"
    " COALESCE(substr(u.region_code, 1, 5), ''), COUNT(*) FROM subscriptions s JOIN users u"
    " ON u.user_id = s.user_id WHERE s.active = 1 GROUP BY 1, 2",
    "INSERT INTO subscriber_groups (kecamatan, language, campaign, count) SELECT"
    " COALESCE(substr(u.region_code, 1, 8), ''), u.language, COALESCE(u.campaign, ''), COUNT(*)"
    " FROM subscriptions s JOIN users u ON u.user_id = s.user_id WHERE s.active = 1"
    " GROUP BY 1, 2, 3",
    "INSERT INTO stat_totals (metric, topic, kecamatan, count)"
    " SELECT metric, topic, kecamatan, SUM(count) FROM daily_stats GROUP BY 1, 2, 3",
    *(statement for table, source, code, keys in (
        ("subscriber_scope_days", "subscriber_days", "kabupaten", "day"),
        ("stat_scope_days", "daily_stats", "kecamatan", "day, metric"),
        ("stat_scope_totals", "stat_totals", "kecamatan", "metric, topic"))
      for statement in (f"DELETE FROM {table}", scoped(table, source, code, keys))))
# Tables whose triggers keep counts: off while the rows are copied and counted once.
KEPT_BY_TRIGGERS = ("users", "subscriptions", "daily_stats", "subscriber_days", "stat_totals")
BLOCK = 200_000


def _blocks(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, BLOCK):
        yield start, min(BLOCK, total - start)


def _plan(subscribers: int, unanswered: int, days: int, first: int
          ) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    for start, n in _blocks(subscribers):
        yield "users", list(users(first + start, n))
        yield "subscriptions", list(subscriptions(first + start, n))
        yield "subscription_topics", list(topics(first + start, n))
    for start, n in _blocks(unanswered):
        yield "unanswered_questions", list(questions(start, n))
    counters = daily_stats(days)
    while block := list(itertools.islice(counters, BLOCK)):
        yield "daily_stats", block


async def generate(target: str, subscribers: int, unanswered: int = 0, days: int = 0,
                   first: int = 0, say: Any = print) -> dict[str, int]:
    """Write the data into the (migrated) database at `target`; rows written per table."""
    await (await open_database(target)).close()      # migrated
    written: dict[str, int] = dict.fromkeys(TABLES, 0)
    began = time.monotonic()
    if is_postgres_url(target):
        import asyncpg

        conn = await asyncpg.connect(target)
        try:
            for table in KEPT_BY_TRIGGERS:
                await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for table, rows in _plan(subscribers, unanswered, days, first):
                await conn.copy_records_to_table(table, records=rows, columns=TABLES[table])
                written[table] += len(rows)
            for statement in RECOUNT:
                await conn.execute(statement)
            for table in KEPT_BY_TRIGGERS:
                await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()
    else:
        db = await open_database(target)
        try:
            for table, rows in _plan(subscribers, unanswered, days, first):
                columns = TABLES[table]
                async with db.transaction() as tx:
                    await tx.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES"
                        f" ({', '.join('?' * len(columns))})", rows)
                written[table] += len(rows)
            await db.conn.execute("ANALYZE")
        finally:
            await db.close()
    say(f"written in {time.monotonic() - began:.0f} s: {written}")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--to", required=True, help="a SQLite path or a postgresql:// URL")
    parser.add_argument("--subscribers", type=int, default=10_000_000)
    parser.add_argument("--questions", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=3 * 365)
    args = parser.parse_args()
    asyncio.run(generate(args.to, args.subscribers, args.questions, args.days))


if __name__ == "__main__":
    main()
