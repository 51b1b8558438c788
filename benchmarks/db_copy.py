"""`python -m bot db copy --to postgresql://...` of a 200,000-subscriber SQLite deployment: the
deployment written by national_data.py (subscribers, a season's unanswered questions and
counters) plus one finished broadcast to all of them (a delivery row each), then the real
command run on it. Prints how long the copy took and the row counts it verified per table.

    python -m benchmarks.db_copy                     # 200,000 subscribers

PostgreSQL is the pgserver wheel's, started here as the tests start it (tests/postgres.py)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.national_data import generate
from tests.postgres import create_database, start_server, stop_server


async def run(folder: Path, admin: str, subscribers: int) -> None:
    source = folder / "bot.sqlite3"
    await generate(str(source), subscribers, subscribers // 10, 12,
                   say=lambda line: print("  deployment " + line))
    with sqlite3.connect(source) as lite:
        lite.execute("INSERT INTO broadcasts (id, created_at, created_by, text, topic, not_before,"
                     " state, snapshotted, finished_at) VALUES (1, '2029-01-01T00:00:00.000+00:00',"
                     " 'cli', 'Halo', 'announcements', '2029-01-01T00:00:00.000+00:00', 'done',"
                     " 1, '2029-01-01T01:00:00.000+00:00')")
        lite.execute("INSERT INTO deliveries (broadcast_id, user_id, language, region, outcome,"
                     " attempts, at) SELECT 1, u.user_id, u.language, u.region_code, 'sent', 1,"
                     " '2029-01-01T00:30:00.000+00:00' FROM subscriptions s JOIN users u"
                     " ON u.user_id = s.user_id WHERE s.active = 1")
    size = source.stat().st_size / 2**20
    target = await create_database(admin)
    env = {**os.environ, "DATABASE_PATH": str(source), "BOT_TOKEN": "123456789:COPY-benchmark-token-offline"}
    began = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "copy", "--to", target, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await process.communicate()
    took = time.monotonic() - began
    print(f"{subscribers:,} subscribers, a {size:.0f} MB SQLite database: db copy took "
          f"{took:.1f} s (exit {process.returncode}); what it said:")
    for line in out.decode().splitlines():
        print("  " + line.replace(target, "<url>"))


async def main_async(args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    server, admin = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await run(Path(tmp), admin, args.subscribers)
    finally:
        stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=200_000)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
