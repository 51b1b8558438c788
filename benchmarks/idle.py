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

import aiohttp

from benchmarks.cost import background, configs, deployment, transactions
from tests.postgres import start_server, stop_server


async def role(port: int) -> str:
    async with aiohttp.ClientSession() as session, session.get(
            f"http://127.0.0.1:{port}/livez") as response:
        return str((await response.json()).get("role", "?"))


async def one(backend: str, processes: int, seconds: float, admin: str | None) -> None:
    async with deployment(backend, processes, admin) as run:
        bots, ports, url = run.bots, run.ports, run.url
        await asyncio.sleep(5)        # the last start-up work settles
        xact0 = await transactions(url) if url else 0
        idle = await background(ports, bots, seconds, settle=0)
        xact = (await transactions(url) - xact0 - 2) if url else 0
        roles = [await role(p) for p in ports]
    print(f"{backend}, {processes} process(es), idle for {seconds:g} s:")
    for n, (cpu, trips) in enumerate(idle):
        line = f"  process {n + 1} ({roles[n]}): CPU {1000 * cpu:.1f} ms/s"
        if url:
            line += f", {trips:.2f} pool round trips/s"
        print(line)
    if url:
        print(f"  PostgreSQL: {xact / seconds:.2f} transactions/s (all connections)")


async def main_async(args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores")
    chosen = configs(args.configs, 0)
    pg, admin = start_server() if any(c[0] == "postgres" for c in chosen) else (None, None)
    try:
        for backend, processes, _ in chosen:
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
