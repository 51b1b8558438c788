"""Latency and throughput of answering free-text questions.

1. matching alone: median and p99 of Matcher.match over the labelled questions (first pass,
   with cold word caches, and warm);
2. one free-text update through the full Application in-process (handlers, SQLite, rendering,
   the offline Bot API transport);
3. updates per second for `python -m bot run` as a process against the local fake Bot API
   server over HTTP (many citizens asking at once).

Targets (issue 2, on a 2-core machine): matching under 2 ms median; >= 300 updates/s end to end.

    python -m benchmarks.latency [--updates 3000] [--users 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from telegram import Update

from benchmarks.stats import pct
from bot import PROJECT_ROOT
from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import load_content
from bot.faq.evaluation import load_labelled
from bot.faq.matcher import Matcher
from bot.settings import load_settings
from bot.shell.botapi import LocalBotApi, LocalRequest
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer

TOKEN = "555000:BENCH-token-for-the-local-fake-server"


def bench_matching(questions: list[str]) -> None:
    matcher = Matcher(load_content(PROJECT_ROOT / "content"))
    for label, rounds in (("cold (first pass)", 1), ("warm", 20)):
        times = []
        for _ in range(rounds):
            for q in questions:
                t0 = time.perf_counter()
                matcher.match(q)
                times.append((time.perf_counter() - t0) * 1000)
        print(f"matching, {label}: median {statistics.median(times):.3f} ms, "
              f"p99 {pct(times, 0.99):.3f} ms over {len(times)} questions   target < 2 ms median")


async def bench_in_process(questions: list[str], rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(BOT_TOKEN=TOKEN, DATABASE_PATH=f"{tmp}/b.sqlite3")
        request = LocalRequest(LocalBotApi())
        app = build_application(settings, request=request, get_updates_request=request,
                                clock=FixedClock(datetime(2024, 11, 13, 2, tzinfo=UTC)))
        await open_offline(app)
        await app.services.semantic_ready.wait()
        times = []
        try:
            for i in range(rounds):
                q = questions[i % len(questions)]
                sender = updates.user(10_000 + i % 500)
                payload = request.api.new_update(message=updates.message(request.api, q, sender))
                request.api.updates.clear()
                update = Update.de_json(payload, app.bot)
                t0 = time.perf_counter()
                await app.process_update(update)
                times.append((time.perf_counter() - t0) * 1000)
        finally:
            await close_offline(app)
    print(f"full Application, in-process: median {statistics.median(times):.2f} ms, "
          f"p99 {pct(times, 0.99):.2f} ms per free-text update ({rounds} updates)")


async def bench_end_to_end(questions: list[str], total: int, users: int) -> None:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    with tempfile.TemporaryDirectory() as tmp:
        process = await start_bot(server, bot_env(server, Path(tmp), LOG_LEVEL="WARNING",
                                                     CONTENT_DIR=str(PROJECT_ROOT / "content")), Path(tmp))
        try:
            await asyncio.sleep(0.5)
            # Warm-up, so process start-up is not counted.
            warm = server.ok_counts["sendMessage"]
            for i in range(50):
                sender = updates.user(900_000 + i)
                server.push(message=updates.message(server.api, questions[i], sender))
            await server.wait_count("sendMessage", warm + 50, within=60)
            before = server.ok_counts["sendMessage"]
            t0 = time.perf_counter()
            for i in range(total):
                sender = updates.user(1_000_000 + i % users)
                q = questions[i % len(questions)]
                server.push(message=updates.message(server.api, q, sender))
            await server.wait_count("sendMessage", before + total, within=120)
            elapsed = time.perf_counter() - t0
        finally:
            await stop_bot(process, server)
            await server.stop()
    errors = [c for c in server.calls if c.error]
    print(f"end to end, python -m bot run over HTTP: {total / elapsed:.0f} updates/s "
          f"({total} questions from {users} citizens in {elapsed:.2f} s, "
          f"{len(errors)} Bot API errors)   target >= 300/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--in-process", type=int, default=2000)
    args = parser.parse_args()
    questions = [i.question for i in load_labelled(PROJECT_ROOT / "tests/faq/questions.tsv")]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    bench_matching(questions)
    asyncio.run(bench_in_process(questions, args.in_process))
    asyncio.run(bench_end_to_end(questions, args.updates, args.users))


if __name__ == "__main__":
    main()
