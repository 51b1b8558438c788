"""Cost per update with one and with several bot processes (issue 21): the load benchmark's mix
(benchmarks/load.py: questions from the labelled pool, commands, button presses, 1,000 users)
through the webhook at one total rate, spread over N `python -m bot run --webhook` processes in
turn (as a load balancer would), on PostgreSQL and, for comparison, on SQLite (one process).

Prints, per configuration and per process: updates handled, the process's CPU seconds and
PostgreSQL round trips (`suara_db_round_trips` in its /metrics) per 1,000 of the updates it
handled, peak RSS; and for the whole: p50/p99 reply latency and errors, and the server's
transactions per 1,000 updates (pg_stat_database). This machine has 2 cores shared by the
bots, PostgreSQL and the load generator, so cost is what holds here, not speed-up.

    python -m benchmarks.cost [--rate 300] [--seconds 30] [--configs sqlite:1,postgres:1,postgres:2]
                              [--haproxy] [--warmup 20] [--first-only] [--repeat 1]

Each process's cost is also shown without what it spends idle (measured for 10 s with no
update coming in: its heartbeat, change feed and engine), the cost of handling updates alone.
`--configs postgres:1@60,postgres:2@120` gives a configuration its own total rate: one process
at each process's rate of two, to tell a cost of the processes from a cost of the rate (a
process spends more per update at a lower rate: fewer updates share each turn of its loop).
`--repeat N` runs the configurations in turn N times (this machine's speed drifts by a fifth
within an hour: compare runs made side by side).

--haproxy: the updates go through HAProxy with the shipped deploy/haproxy.cfg (as in the
systemd topology) instead of to each process in turn: the balancer's configuration, tried.

Targets: cost per update per process does not grow with processes; 0 errors and p99 < 300 ms
at 300 updates/s; one process on PostgreSQL within 20% of SQLite."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg

from benchmarks.load import CONTENT, SECRET, TOKEN, Load, question_pool
from benchmarks.stats import cpu_seconds, pct, peak_rss_kb
from bot import PROJECT_ROOT
from tests.fakes.process import bot_env, free_port, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer
from tests.postgres import create_database, drop_database, start_server, stop_server

CACHE = Path(tempfile.gettempdir()) / "suara-bench"


async def metric(port: int, name: str) -> float:
    """A counter's value (summed over labels) from a process's /metrics."""
    async with aiohttp.ClientSession() as session, session.get(
            f"http://127.0.0.1:{port}/metrics") as response:
        text = await response.text()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name) and not line.startswith("#"))


async def balancer(ports: list[int]) -> tuple[asyncio.subprocess.Process, int]:
    """HAProxy with deploy/haproxy.cfg in front of `ports`, once it sees them all up."""
    listen, stats = free_port(), free_port()
    env = {"PATH": os.environ["PATH"] + ":/usr/sbin", "LB_LISTEN": f"127.0.0.1:{listen}",
           "LB_STATS": f"127.0.0.1:{stats}", "SUARA_A": f"127.0.0.1:{ports[0]}",
           "SUARA_B": f"127.0.0.1:{ports[-1]}"}
    process = await asyncio.create_subprocess_exec(
        "haproxy", "-f", str(PROJECT_ROOT / "deploy" / "haproxy.cfg"), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    for _ in range(100):
        await asyncio.sleep(0.2)
        try:
            async with aiohttp.ClientSession() as session, session.get(
                    f"http://127.0.0.1:{stats}/;csv") as response:
                rows = (await response.text()).splitlines()
            if sum(1 for r in rows if r.startswith("suara,") and ",UP," in r) == 2:
                return process, listen
        except aiohttp.ClientError:
            pass
    process.kill()
    raise RuntimeError("HAProxy did not see both bots up within 20 s")


async def transactions(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database"
            " WHERE datname = current_database()"))
    finally:
        await conn.close()


async def wait_ready(log: Path, stage: str = "second",
                     bot: asyncio.subprocess.Process | None = None) -> None:
    waited = time.monotonic()
    while f"answer model: {stage} stage ready" not in await asyncio.to_thread(
            log.read_text, errors="replace"):
        if bot is not None and bot.returncode is not None:
            raise RuntimeError(f"a bot process ended ({bot.returncode}) before it was ready: {log}")
        if time.monotonic() - waited > 900:
            raise RuntimeError(f"the answer model was not ready within 900 s ({log})")
        await asyncio.sleep(0.5)


@dataclass
class Deployment:
    server: FakeBotApiServer
    url: str | None             # PostgreSQL's; None: SQLite
    ports: list[int]            # each process's webhook (and /metrics) port
    bots: list[asyncio.subprocess.Process]


@contextlib.asynccontextmanager
async def deployment(backend: str, processes: int, admin: str | None, stage: str = "second",
                     **settings: str) -> AsyncIterator[Deployment]:
    """N `python -m bot run --webhook` processes on one database (a fresh PostgreSQL database,
    or each its own SQLite file), the fake Bot API, the webhook registered and each process's
    answer model ready to `stage`; all stopped and dropped afterwards."""
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
                extra = {"DATABASE_URL": url, **settings} if url else dict(settings)
                env = bot_env(server, folder, LOG_LEVEL="INFO", CONTENT_DIR=str(CONTENT),
                              CACHE_DIR=str(CACHE), WEBHOOK_URL="https://bot.example.org/hook",
                              WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port), **extra)
                bots.append(await start_bot(server, env, folder, folder / "bot.log", "--webhook"))
            await server.wait_for(lambda c: c.method == "setWebhook", within=60)
            for n in range(processes):
                await wait_ready(Path(tmp) / f"p{n}" / "bot.log", stage, bots[n])
            yield Deployment(server, url, ports, bots)
        finally:
            for bot in bots:
                await stop_bot(bot, server)
            await server.stop()
            if url and admin:
                await drop_database(admin, url)


async def background(ports: list[int], bots: list[asyncio.subprocess.Process],
                     seconds: float = 10, settle: float = 2) -> list[tuple[float, float]]:
    """Each process's CPU seconds and round trips a second with no update coming in, after
    `settle` seconds (the last replies and flushes of what came before)."""
    await asyncio.sleep(settle)
    cpu0 = [cpu_seconds(b.pid) for b in bots]
    trips0 = [await metric(p, "suara_db_round_trips") for p in ports]
    await asyncio.sleep(seconds)
    return [((cpu_seconds(b.pid) - c) / seconds,
             (await metric(p, "suara_db_round_trips") - t) / seconds)
            for b, p, c, t in zip(bots, ports, cpu0, trips0, strict=True)]


def configs(text: str, rate: float) -> list[tuple[str, int, float]]:
    """"sqlite:1,postgres:2@150" as (backend, processes, total rate) triples; without "@",
    --rate."""
    found = []
    for config in text.split(","):
        config, _, at = config.partition("@")
        backend, processes = config.split(":")
        found.append((backend, int(processes), float(at) if at else rate))
    return found


async def one(backend: str, processes: int, rate: float, args: argparse.Namespace,
              pool: list[str], admin: str | None) -> None:
    # Replies count toward the bot's limit, shared by the processes on PostgreSQL
    # (broadcasts/pacing.py): 300 answers a second needs the paid limit (1000/s).
    settings = {"PAID_BROADCAST": "true"}
    if args.first_only:     # the cost of the house, without the sentence model's
        settings["SEMANTIC_THREADS"] = "0"     # rate-dependent share (it sheds under load)
    async with deployment(backend, processes, admin, "first" if args.first_only else "second",
                          **settings) as run:
        server, url, ports, bots = run.server, run.url, run.ports, run.bots
        lb = await balancer(ports) if args.haproxy else None
        load = Load(server, args.users, pool, [lb[1]] if lb else ports)
        load.session = aiohttp.ClientSession()
        collector = asyncio.create_task(load.collect())
        try:
            # Warm-up, not measured: each process meets users and questions (its own
            # recent users and sentence vectors); longer (--warmup) for warm caches.
            await load.run(rate / 2, args.warmup)
            idle = await background(ports, bots)
            handled0 = [await metric(p, "suara_updates_total") for p in ports]
            cpu0 = [cpu_seconds(b.pid) for b in bots]
            trips0 = [await metric(p, "suara_db_round_trips") for p in ports]
            xact0 = await transactions(url) if url else 0
            achieved, sent = await load.run(rate, args.seconds)
            cpu = [cpu_seconds(b.pid) - c for b, c in zip(bots, cpu0, strict=True)]
            trips = [await metric(p, "suara_db_round_trips") - t
                     for p, t in zip(ports, trips0, strict=True)]
            xact = (await transactions(url) - xact0) if url else 0
            rss = [peak_rss_kb(b.pid) / 1024 for b in bots]
            handled = [int(await metric(p, "suara_updates_total") - h)
                       for p, h in zip(ports, handled0, strict=True)]
        finally:
            collector.cancel()
            await load.session.close()
            if lb:
                lb[0].terminate()
                await lb[0].wait()
    lat = [x * 1000 for x in load.latencies]
    print(f"{backend}, {processes} process(es): {sent} updates at {rate:g}/s for "
          f"{args.seconds:g} s: {achieved:.0f}/s, median {pct(lat, 0.5):.0f} ms, p99 "
          f"{pct(lat, 0.99):.0f} ms, errors {load.errors}"
          + (" (through HAProxy, deploy/haproxy.cfg)" if args.haproxy else ""))
    for n in range(len(ports)):
        done = max(1, handled[n])
        line = (f"  process {n + 1}: {handled[n]} updates, CPU {1000 * cpu[n] / done:.2f} s per "
                f"1,000, peak RSS {rss[n]:.0f} MB")
        if url:
            line += f", {1000 * trips[n] / done:.0f} round trips per 1,000"
        print(line)
        # What a process spends with no update at all (its heartbeat, change feed, engine),
        # measured idle, taken out: the cost of handling updates alone.
        idle_cpu, idle_trips = (x * args.seconds for x in idle[n])
        line = (f"    idle {1000 * idle[n][0]:.1f} ms CPU a second; handling alone: CPU "
                f"{1000 * (cpu[n] - idle_cpu) / done:.2f} s per 1,000")
        if url:
            line += (f" ({idle[n][1]:.1f} round trips a second idle); "
                     f"{1000 * (trips[n] - idle_trips) / done:.0f} round trips per 1,000")
        print(line)
    if url:
        print(f"  PostgreSQL: {1000 * xact / max(1, sent):.0f} transactions per 1,000 updates "
              "(the server's count, background work included)")
    print(f"  all processes: CPU {1000 * sum(cpu) / max(1, sent):.2f} s per 1,000 updates")


async def main_async(args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    pool = question_pool()
    chosen = configs(args.configs, args.rate)
    pg, admin = start_server() if any(c[0] == "postgres" for c in chosen) else (None, None)
    try:
        for _ in range(args.repeat):     # interleaved: this machine's speed drifts
            for backend, processes, rate in chosen:
                await one(backend, processes, rate, args, pool, admin)
    finally:
        if pg is not None:
            stop_server(pg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--first-only", action="store_true",
                        help="SEMANTIC_THREADS=0: the first stage answers alone, so the cost per "
                             "update does not depend on how much the second stage sheds at a rate")
    parser.add_argument("--warmup", type=float, default=20,
                        help="seconds of load at half the rate before measuring")
    parser.add_argument("--configs", default="sqlite:1,postgres:1,postgres:2",
                        help="backend:processes[@total rate], comma-separated")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the configurations in turn this many times")
    parser.add_argument("--haproxy", action="store_true",
                        help="through HAProxy and deploy/haproxy.cfg (2 processes)")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
