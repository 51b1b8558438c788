"""The storage functions on SQLite and on PostgreSQL, one operation at a time: what an update
or a broadcast batch costs on each backend (median and p99 per call, calls a second).

PostgreSQL is the pgserver wheel's on a unix socket on this machine (as the tests start it,
but with fsync on: a deployment's durability), SQLite a WAL file in a temporary folder. Both
share this machine's 2 cores with the benchmark itself.

    python -m benchmarks.storage_backends [--rounds 2000] [--subscribers 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage import Database, open_database
from bot.storage.broadcasts import (
    Outcome,
    create_broadcast,
    get_broadcast,
    pending_batch,
    record_outcomes,
    start_sending,
)
from bot.storage.insights import add_daily_stats
from bot.storage.questions import record_feedback, record_unanswered
from bot.storage.subscriptions import get_subscription, subscribe
from bot.storage.users import forget_user, get_user, touch_user
from tests.fakes.subscribers import bulk_subscribe

NOW = datetime(2029, 2, 1, 3, 0, tzinfo=UTC)


async def timed(rounds: int, call: Callable[[int], Awaitable[object]]) -> tuple[float, float, float]:
    """(median ms, p99 ms, calls a second) over `rounds` calls."""
    took = []
    began = time.perf_counter()
    for i in range(rounds):
        start = time.perf_counter()
        await call(i)
        took.append(time.perf_counter() - start)
    total = time.perf_counter() - began
    took.sort()
    return (statistics.median(took) * 1000, took[int(len(took) * 0.99) - 1] * 1000,
            rounds / total)


async def measure(db: Database, target: str, rounds: int, subscribers: int
                  ) -> dict[str, tuple[float, float, float]]:
    ids = list(range(1_000_000, 1_000_000 + subscribers))
    await bulk_subscribe(target, ids)
    results: dict[str, tuple[float, float, float]] = {}
    later = NOW + timedelta(hours=1)

    async def touch_new(i: int) -> None:
        await touch_user(db, 5_000_000 + i, "id", NOW)

    async def touch_stale(i: int) -> None:     # a known user back after a while: a write
        forget_user(db, 5_000_000 + i)
        await touch_user(db, 5_000_000 + i, "id", later)

    async def touch_cached(i: int) -> None:    # the common case: answered from memory
        await touch_user(db, 5_000_000 + i, "id", later)

    results["touch_user, new user (write + read)"] = await timed(rounds, touch_new)
    results["touch_user, returning user (write + read)"] = await timed(rounds, touch_stale)
    results["touch_user, recent user (memory)"] = await timed(rounds, touch_cached)
    results["get_user (read)"] = await timed(rounds, lambda i: get_user(db, ids[i % len(ids)]))
    results["get_subscription (2 reads)"] = await timed(
        rounds, lambda i: get_subscription(db, ids[i % len(ids)]))
    results["subscribe (transaction, 4 statements)"] = await timed(
        rounds, lambda i: subscribe(db, 5_000_000 + i, NOW, ["countdown", "announcements"]))
    results["record_unanswered (write)"] = await timed(
        rounds, lambda i: record_unanswered(db, f"pertanyaan {i}", "id", NOW))
    results["record_feedback (upsert)"] = await timed(
        rounds, lambda i: record_feedback(db, f"e{i % 50}", i % 2 == 0, "2029-02-01"))
    stats = [(("2029-02-01", "answered", f"t{k}", "99.01.05", "id", ""), 1) for k in range(20)]
    results["add_daily_stats (20 upserts, 1 transaction)"] = await timed(
        max(rounds // 10, 10), lambda i: add_daily_stats(db, stats))
    # A broadcast's loop: recipients fixed once, then batches of 500 read and recorded.
    bid = await create_broadcast(db, created_by="cli", topic="announcements", text="x",
                                 not_before=NOW, now=NOW)
    broadcast = await get_broadcast(db, bid)
    assert broadcast is not None
    start = time.perf_counter()
    fixed = (await start_sending(db, broadcast, NOW)).recipients
    results[f"start_sending ({fixed} recipients fixed)"] = (
        (time.perf_counter() - start) * 1000, 0.0, 1 / (time.perf_counter() - start))
    after = [0]

    async def batch(_: int) -> None:
        recipients = await pending_batch(db, bid, after[0], 500, "2029-02-01")
        if not recipients:
            return
        after[0] = recipients[-1].user_id
        await record_outcomes(db, bid, [Outcome(r.user_id, "sent", None, 1) for r in recipients],
                              NOW, "2029-02-01", True)

    results["pending_batch + record_outcomes (500)"] = await timed(
        max(min(subscribers // 500, 40), 1), batch)
    return results


async def one(target: str, rounds: int, subscribers: int) -> dict[str, tuple[float, float, float]]:
    db = await open_database(target)
    try:
        return await measure(db, target, rounds, subscribers)
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--subscribers", type=int, default=20_000)
    args = parser.parse_args()
    from tests.postgres import create_database, start_server, stop_server
    server, admin = start_server()
    server.psql("ALTER SYSTEM SET fsync = on; ALTER SYSTEM SET synchronous_commit = on;"
                " ALTER SYSTEM SET full_page_writes = on; SELECT pg_reload_conf();")
    try:
        with tempfile.TemporaryDirectory() as folder:
            lite = asyncio.run(one(str(Path(folder) / "bench.sqlite3"), args.rounds,
                                   args.subscribers))
            url = asyncio.run(create_database(admin))
            pg = asyncio.run(one(url, args.rounds, args.subscribers))
    finally:
        stop_server(server)
    print(f"{args.rounds} calls each, {args.subscribers} subscribers; ms per call "
          "(median / p99) and calls a second, one at a time")
    print(f"{'operation':50} {'SQLite':>24} {'PostgreSQL':>24}")
    for (name, a), b in zip(lite.items(), pg.values(), strict=True):
        print(f"{name:50} {a[0]:7.3f} /{a[1]:7.3f} {a[2]:7.0f}/s {b[0]:7.3f} /{b[1]:7.3f} "
              f"{b[2]:7.0f}/s")


if __name__ == "__main__":
    main()
