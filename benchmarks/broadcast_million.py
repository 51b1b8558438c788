"""A broadcast to a million subscribers on PostgreSQL at 1000/s: two `python -m bot run
--webhook` processes (a leader and a follower) on one PostgreSQL, the strict fake Bot API
(Telegram's limits, 429 on any overshoot), the broadcast queued by the CLI.

Prints the first message's delay after the broadcast was queued (its row's created_at), the
sustained rate (whole broadcast, and the slowest 10-second window), each process's peak RSS,
429s, and recipients reached once, twice or never.

    python -m benchmarks.broadcast_million                      # 1,000,000 at 1000/s
    python -m benchmarks.broadcast_million --recipients 20000   # a quick look

Subscribers are written by national_data.py (COPY). PostgreSQL is the pgserver wheel's,
started here as the tests start it (tests/postgres.py)."""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import asyncpg

from benchmarks.failover import _answers, cli, role
from benchmarks.national_data import FIRST_ID, generate
from benchmarks.stats import cpu_seconds, peak_rss_kb
from tests.broadcasts.conftest import eventually
from tests.fakes.process import bot_env, free_port, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer, Limits, most_in_one_second
from tests.postgres import create_database, start_server, stop_server


def slowest_window(arrivals: list[float], seconds: float = 10.0) -> float:
    """The lowest rate over the whole `seconds`-long windows between the first and last."""
    if len(arrivals) < 2 or arrivals[-1] - arrivals[0] < seconds:
        return 0.0
    rates, start = [], arrivals[0]
    i = 0
    while start + seconds <= arrivals[-1]:
        n = 0
        while i < len(arrivals) and arrivals[i] < start + seconds:
            i += 1
            n += 1
        rates.append(n / seconds)
        start += seconds
    return min(rates)


async def run(folder: Path, url: str, recipients: int, rate: int) -> None:
    await generate(url, recipients, say=lambda line: print("  subscribers " + line))
    conn = await asyncpg.connect(url)
    server = FakeBotApiServer("515152:MILLION-benchmark-token")
    server.limits = Limits()
    server.record_calls = False
    await server.start()
    wall_minus_mono = time.time() - time.monotonic()
    ports, envs, bots = [free_port(), free_port()], [], []
    for name, port in zip("ab", ports, strict=True):
        (folder / name).mkdir()
        envs.append(bot_env(server, folder / name, DATABASE_URL=url, QUIET_HOURS="", DAILY_CAP="0",
                            PAID_BROADCAST="true", BROADCAST_RATE=str(rate), LOG_LEVEL="WARNING",
                            SEMANTIC_THREADS="0", WEBHOOK_URL="https://bot.example.org/hook",
                            WEBHOOK_SECRET="million_bench", WEBHOOK_LISTEN="127.0.0.1",
                            WEBHOOK_PORT=str(port)))
    rss, cpu = [0, 0], [0.0, 0.0]
    try:
        for env, name, port in zip(envs, "ab", ports, strict=True):
            bots.append(await start_bot(server, env, folder / name, folder / name / "bot.log",
                                        "--webhook"))
            await eventually(functools.partial(_answers, port), within=60, what="healthz")
        await asyncio.sleep(2)
        roles = [await role(p) for p in ports]
        cpu0 = [cpu_seconds(b.pid) for b in bots]
        await cli(envs[0], "broadcast", "send", "--text", "Uji sejuta penerima (benchmark).")
        bid, created = (await conn.fetch("SELECT id, created_at FROM broadcasts"))[0]
        queued = datetime.fromisoformat(created).timestamp()
        while (await conn.fetchval("SELECT state FROM broadcasts WHERE id = $1", bid)) != "done":
            rss = [max(r, peak_rss_kb(b.pid)) for r, b in zip(rss, bots, strict=True)]
            await asyncio.sleep(2)
        rss = [max(r, peak_rss_kb(b.pid)) for r, b in zip(rss, bots, strict=True)]
        cpu = [cpu_seconds(b.pid) - c for b, c in zip(bots, cpu0, strict=True)]
        fixed = await conn.fetchval("SELECT COUNT(*) FROM deliveries WHERE broadcast_id = $1", bid)
        outcomes = await conn.fetch("SELECT outcome, COUNT(*) FROM deliveries"
                                    " WHERE broadcast_id = $1 GROUP BY 1", bid)
    finally:
        for bot in bots:
            if bot.returncode is None:
                await stop_bot(bot, server)
        await server.stop()
        await conn.close()
    arrivals = sorted(server.arrivals)
    first = arrivals[0] + wall_minus_mono - queued
    took = arrivals[-1] - arrivals[0]
    reached = {i: n for i, n in server.delivered.items() if i >= FIRST_ID}
    print(f"{fixed:,} recipients (of {recipients:,} subscribers; 5% inactive) at {rate}/s "
          f"(paid), two processes ({', '.join(roles)}):")
    print(f"  first message {first:.2f} s after the broadcast was queued")
    print(f"  sustained {(len(arrivals) - 1) / took:.0f}/s over {took:.0f} s; slowest 10 s "
          f"window {slowest_window(arrivals):.0f}/s; most in any one second "
          f"{most_in_one_second(arrivals)}")
    print(f"  peak RSS per process: {', '.join(f'{r / 1024:.0f} MB' for r in rss)}; CPU "
          f"seconds per process while it ran: {', '.join(f'{c:.1f}' for c in cpu)} "
          f"({1000 * max(cpu) / max(1, len(arrivals)):.2f} ms per message on the busier)")
    print(f"  429s {server.too_many}; reached once {sum(1 for n in reached.values() if n == 1):,},"
          f" more than once {sum(1 for n in reached.values() if n > 1)}, never "
          f"{fixed - len(reached)}; outcomes {dict((r[0], r[1]) for r in outcomes)}")


async def main_async(args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    pg, admin = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await run(Path(tmp), await create_database(admin), args.recipients, args.rate)
    finally:
        stop_server(pg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--rate", type=int, default=1000)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
