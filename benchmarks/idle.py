"""What a bot process costs with no updates at all (issue 21): its fixed background work.

Starts N `python -m bot run --webhook` processes on one PostgreSQL (or one on SQLite), waits
until their answer models are ready and a leader is elected, then, with no update sent, counts
for `--seconds`: each process's CPU seconds per second and storage round trips per second
(`suara_db_round_trips` in its /metrics: the pool's statements), its role, and the server's
transactions per second for the whole (pg_stat_database: every connection's statements, the
leader's, listeners' and engine's included).

    python -m benchmarks.idle [--seconds 30] [--configs postgres:1,postgres:2,sqlite:1]"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

import aiohttp

from benchmarks.cost import CACHE, metric, transactions, wait_ready
from benchmarks.load import CONTENT, SECRET, TOKEN
from benchmarks.stats import cpu_seconds
from tests.fakes.process import bot_env, free_port, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer
from tests.postgres import create_database, drop_database, start_server, stop_server


async def role(port: int) -> str:
    async with aiohttp.ClientSession() as session, session.get(
            f"http://127.0.0.1:{port}/livez") as response:
        return str((await response.json()).get("role", "?"))


async def one(backend: str, processes: int, seconds: float, admin: str | None) -> None:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    url = await create_database(admin) if backend == "postgres" and admin else None
    bots: list[asyncio.subprocess.Process] = []
    ports = [free_port() for _ in range(processes)]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for n, port in enumerate(ports):
                folder = Path(tmp) / f"p{n}"
                folder.mkdir()
                extra = {"DATABASE_URL": url} if url else {}
                env = bot_env(server, folder, LOG_LEVEL="INFO", CONTENT_DIR=str(CONTENT),
                              CACHE_DIR=str(CACHE), WEBHOOK_URL="https://bot.example.org/hook",
                              WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port), **extra)
                bots.append(await start_bot(server, env, folder, folder / "bot.log", "--webhook"))
            for n in range(processes):
                await wait_ready(Path(tmp) / f"p{n}" / "bot.log")
            await asyncio.sleep(5)        # the last start-up work settles
            cpu0 = [cpu_seconds(b.pid) for b in bots]
            trips0 = [await metric(p, "suara_db_round_trips") for p in ports]
            xact0 = await transactions(url) if url else 0
            await asyncio.sleep(seconds)
            cpu = [cpu_seconds(b.pid) - c for b, c in zip(bots, cpu0, strict=True)]
            trips = [await metric(p, "suara_db_round_trips") - t
                     for p, t in zip(ports, trips0, strict=True)]
            xact = (await transactions(url) - xact0 - 2) if url else 0
            roles = [await role(p) for p in ports]
        finally:
            for bot in bots:
                await stop_bot(bot, server)
            await server.stop()
            if url and admin:
                await drop_database(admin, url)
    print(f"{backend}, {processes} process(es), idle for {seconds:g} s:")
    for n in range(processes):
        line = f"  process {n + 1} ({roles[n]}): CPU {1000 * cpu[n] / seconds:.1f} ms/s"
        if url:
            line += f", {trips[n] / seconds:.2f} pool round trips/s"
        print(line)
    if url:
        print(f"  PostgreSQL: {xact / seconds:.2f} transactions/s (all connections)")


async def main_async(args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores")
    configs = [(c.split(":")[0], int(c.split(":")[1])) for c in args.configs.split(",")]
    pg, admin = start_server() if any(b == "postgres" for b, _ in configs) else (None, None)
    try:
        for backend, processes in configs:
            await one(backend, processes, args.seconds, admin)
    finally:
        if pg is not None:
            stop_server(pg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--configs", default="postgres:1,postgres:2",
                        help="backend:processes, comma-separated")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
