"""A second process answering from the shared answer model (PostgreSQL, bot/faq/shared.py).

The first process starts with the model in its host's files (CACHE_DIR: run `python -m bot
shell` once, or pass --cache) and stores it in the database; the second starts with no files
and reads it from there. Prints, for each, the seconds from start to the first stage and to
the second (the sentence model) being ready; the log says where each stage came from (read
from the files or the database, or trained) and its size.

    python -m benchmarks.shared_model --cache data/cache          # the bundled province

PostgreSQL is the pgserver wheel's, started here as the tests start it (tests/postgres.py)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path

from bot.app import build_application, close_offline, open_offline
from bot.clock import SystemClock
from bot.settings import load_settings
from bot.shell.botapi import LocalRequest
from tests.fakes.strict_api import StrictBotApi
from tests.postgres import create_database, start_server, stop_server


async def one_process(url: str, cache: Path, threads: int) -> dict[str, float]:
    settings = load_settings(BOT_TOKEN="1:BENCHMARK-shared-model", DATABASE_URL=url,
                             CACHE_DIR=str(cache), SEMANTIC_THREADS=str(threads))
    request = LocalRequest(StrictBotApi(username="suara_bench_bot"))
    started = time.perf_counter()
    app = build_application(settings, request=request, get_updates_request=request,
                            clock=SystemClock())
    await open_offline(app)
    services = app.services
    first_at = None
    while not services.semantic_ready.is_set():
        if first_at is None and services.answers.model is not None:
            first_at = time.perf_counter() - started
        await asyncio.sleep(0.02)
    ready = time.perf_counter() - started
    await close_offline(app)
    return {"first stage s": round(first_at or ready, 1), "second stage s": round(ready, 1)}


async def main(cache: Path, threads: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    server, admin = start_server()
    try:
        url = await create_database(admin)
        print("first process (model in its files):", await one_process(url, cache, threads))
        with tempfile.TemporaryDirectory() as empty:
            print("second process (no files):", await one_process(url, Path(empty), threads))
    finally:
        stop_server(server)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("data/cache"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.cache, args.threads))
