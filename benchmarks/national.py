"""/statistik and /pertanyaan at national size: the data written by national_data.py (10
million subscribers, 1 million unanswered questions, three years of daily counters for 38
provinces' regions), then what each command does timed on it, for the whole deployment and for
one kabupaten/kota's official: /statistik gathers the report, renders the chart and the caption;
/pertanyaan reads and groups the unanswered questions. Also timed once: counting the
subscribers from their rows, as /statistik did before the counts were kept (migration 0016).

    python -m benchmarks.national                                  # PostgreSQL, full size
    python -m benchmarks.national --backend sqlite --subscribers 2000000

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
from pathlib import Path

from benchmarks.national_data import KABUPATEN, TODAY, generate
from bot import PROJECT_ROOT
from bot.content.registry import load_content
from bot.insights.charts import render_png
from bot.insights.report import RECENT_FOR_LISTING, gather, question_groups, summary
from bot.regions.loader import load_regions
from bot.storage import Database, open_database

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
        report = await gather(db, content, regions, TODAY, region=scope)
        await asyncio.to_thread(render_png, report)
        summary(report)

    async def pertanyaan(scope: str | None) -> None:
        found = await question_groups(db, limit=RECENT_FOR_LISTING, region=scope)
        assert found.asked > 0

    await timed("/statistik, whole deployment", lambda: statistik(None))
    await timed(f"/statistik, one kabupaten/kota ({region})", lambda: statistik(region))
    await timed(f"/pertanyaan, whole deployment (latest {RECENT_FOR_LISTING:,} grouped)",
                lambda: pertanyaan(None))
    await timed(f"/pertanyaan, one kabupaten/kota ({region})", lambda: pertanyaan(region))
    began = time.monotonic()
    async with db.conn.execute(
            "SELECT COALESCE(substr(u.region_code, 1, 8), ''), u.language,"
            " COALESCE(u.campaign, ''), COUNT(*) FROM subscriptions s JOIN users u"
            " ON u.user_id = s.user_id WHERE s.active = 1 GROUP BY 1, 2, 3") as cur:
        await cur.fetchall()
    print(f"  (before 0016: the subscribers counted from their rows, one of /statistik's "
          f"queries: {time.monotonic() - began:.2f} s)")


async def run(target: str, args: argparse.Namespace) -> None:
    await generate(target, args.subscribers, args.questions, args.days,
                   say=lambda line: print("  data " + line))
    db = await open_database(target)
    try:
        await measure(db)
    finally:
        await db.close()


async def main_async(args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
          f"{args.subscribers:,} subscribers, {args.questions:,} unanswered questions, "
          f"{args.days} days of counters; {args.backend}")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--subscribers", type=int, default=10_000_000)
    parser.add_argument("--questions", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=3 * 365)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
