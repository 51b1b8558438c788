"""/statistik and /pertanyaan at national size: the data written by national_data.py (10
million subscribers, 1 million unanswered questions, three years of daily counters for 38
provinces' regions), then what each command does timed on it, for the whole deployment and for
one kabupaten/kota's official: /statistik gathers the report, renders the chart and the caption;
/pertanyaan reads and groups the unanswered questions. Also timed once: counting the
subscribers from their rows, as /statistik did before the counts were kept (migration 0016).

    python -m benchmarks.national                                  # PostgreSQL, full size
    python -m benchmarks.national --backend sqlite --subscribers 2000000
    python -m benchmarks.national --keep /var/tmp/national   # write once, time again later

PostgreSQL is the pgserver wheel's, started here as the tests start it (tests/postgres.py)."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from benchmarks.national_data import KABUPATEN, TODAY, generate
from bot import PROJECT_ROOT
from bot.content.registry import Content, load_content
from bot.insights.charts import render_png
from bot.insights.report import (
    QUESTION_METRICS,
    RECENT_FOR_GROUPS,
    RECENT_FOR_LISTING,
    gather,
    question_groups,
    summary,
)
from bot.regions.loader import load_regions
from bot.regions.tree import RegionTree
from bot.storage import Database, insights, open_database

ROUNDS = 3


async def timed(what: str, call: Callable[[], Awaitable[object]]) -> None:
    took, cpu = [], []
    for _ in range(ROUNDS):
        began, began_cpu = time.monotonic(), time.process_time()
        await call()
        took.append(time.monotonic() - began)
        cpu.append(time.process_time() - began_cpu)
    print(f"  {what}: median {statistics.median(took):.2f} s, worst {max(took):.2f} s; the "
          f"bot's CPU {statistics.median(cpu):.2f} s (the database's not included)")


async def measure(db: Database) -> None:
    content = load_content(PROJECT_ROOT / "content")
    regions = load_regions(content)
    region = KABUPATEN[5]

    async def statistik(scope: str | None) -> None:
        db.cache.pop("question_groups", None)       # as if questions came in: grouped again
        report = await gather(db, content, regions, TODAY, region=scope)
        await asyncio.to_thread(render_png, report)
        summary(report)

    async def pertanyaan(scope: str | None, cold: bool = True) -> None:
        if cold:
            db.cache.pop("question_groups", None)
        found = await question_groups(db, limit=RECENT_FOR_LISTING, region=scope)
        assert found.asked > 0

    await parts(db, content, regions, None)
    await parts(db, content, regions, region)
    await timed("/statistik, whole deployment", lambda: statistik(None))
    await timed(f"/statistik, one kabupaten/kota ({region})", lambda: statistik(region))
    await timed(f"/pertanyaan, whole deployment (latest {RECENT_FOR_LISTING:,} grouped)",
                lambda: pertanyaan(None))
    await timed(f"/pertanyaan, one kabupaten/kota ({region})", lambda: pertanyaan(region))
    await pertanyaan(None)       # grouped once: the next ones find the groups kept
    await timed("/pertanyaan again, whole deployment, no question since (groups kept)",
                lambda: pertanyaan(None, cold=False))
    began = time.monotonic()
    async with db.conn.execute(
            "SELECT COALESCE(substr(u.region_code, 1, 8), ''), u.language,"
            " COALESCE(u.campaign, ''), COUNT(*) FROM subscriptions s JOIN users u"
            " ON u.user_id = s.user_id WHERE s.active = 1 GROUP BY 1, 2, 3") as cur:
        await cur.fetchall()
    print(f"  (before 0016: the subscribers counted from their rows, one of /statistik's "
          f"queries: {time.monotonic() - began:.2f} s)")


async def parts(db: Database, content: Content, regions: RegionTree, scope: str | None
                ) -> None:
    """/statistik's parts, each once, one after the other (gather overlaps some of them)."""
    since = (TODAY - timedelta(days=90)).isoformat()
    steps: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("subscribers by day", lambda: insights.subscribers_by_day(db, scope)),
        ("breakdown", lambda: insights.subscriber_breakdown(db, scope)),
        ("totals", lambda: insights.metric_totals(db, region=scope)),
        ("per day", lambda: insights.metric_by_day(db, QUESTION_METRICS, since, scope)),
        ("by region", lambda: insights.metric_by_region(db, QUESTION_METRICS, scope)),
        ("broadcasts", lambda: insights.broadcast_outcome_totals(db, region=scope)),
        ("question texts", lambda: insights.unanswered_texts(db, limit=RECENT_FOR_GROUPS,
                                                             region=scope)),
        ("groups", lambda: question_groups(db, limit=RECENT_FOR_GROUPS, region=scope))]
    took = []
    for what, call in steps:
        began = time.monotonic()
        await call()
        took.append(f"{what} {time.monotonic() - began:.2f}")
    report = await gather(db, content, regions, TODAY, region=scope)
    began = time.monotonic()
    render_png(report)
    took.append(f"chart {time.monotonic() - began:.2f}")
    print(f"  /statistik's parts ({scope or 'whole'}), s: " + ", ".join(took))


async def run(target: str, args: argparse.Namespace, written: Path | None = None) -> None:
    """Write the data (unless `written` says it was, with these sizes), then time."""
    if written is not None and await asyncio.to_thread(os.path.exists, written):
        print(f"  data as written before ({written})")
    else:
        await generate(target, args.subscribers, args.questions, args.days,
                       say=lambda line: print("  data " + line))
        if written is not None:
            open(written, "w").close()  # noqa: ASYNC230 (a marker, once)
    db = await open_database(target)
    try:
        await measure(db)
    finally:
        await db.close()


async def main_async(args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
          f"{args.subscribers:,} subscribers, {args.questions:,} unanswered questions, "
          f"{args.days} days of counters; {args.backend}")
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        await keep(Path(args.keep), args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend == "sqlite":
            await run(str(Path(tmp) / "national.sqlite3"), args)
            return
        from tests.postgres import create_database, start_server, stop_server
        server, admin = start_server()
        try:
            await run(await create_database(admin), args)
        finally:
            stop_server(server)


async def keep(folder: Path, args: argparse.Namespace) -> None:
    """The data kept in `folder` between runs (a marker per backend and size says it is
    whole): a SQLite file, or a PostgreSQL data folder started here and stopped after."""
    written = folder / f"written-{args.backend}-{args.subscribers}-{args.questions}-{args.days}"
    name = f"national_{args.subscribers}_{args.questions}_{args.days}"
    if args.backend == "sqlite":
        await run(str(folder / f"{name}.sqlite3"), args, written)
        return
    import warnings

    import asyncpg
    import pgserver

    from tests.postgres import FAST, with_database
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(folder / "pgdata", cleanup_mode="stop")
        for statement in FAST:
            server.psql(statement + ";")
    try:
        admin = server.get_uri()
        conn = await asyncpg.connect(admin)
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await asyncio.to_thread(lambda: written.unlink(missing_ok=True))
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        await run(with_database(admin, name), args, written)
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--subscribers", type=int, default=10_000_000)
    parser.add_argument("--questions", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=3 * 365)
    parser.add_argument("--keep", metavar="FOLDER",
                        help="keep the data in FOLDER and reuse it on the next run")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
