"""Failover: two `python -m bot run --webhook` processes on one PostgreSQL, a broadcast against
the strict fake Bot API (Telegram's limits, 429 on any overshoot), the leader killed (`kill -9`)
or hung (SIGSTOP, then SIGCONT once another leads) partway through.

Prints the takeover time (the signal to the other process saying it leads), recipients lost
(no message), duplicates (against the bound: the sends in flight plus rate x the flush
interval), 429s, and how long the whole broadcast took.

    python -m benchmarks.failover                      # 20,000 at 1000/s, kill -9 at 40%
    python -m benchmarks.failover --recipients 200000 --signal stop

PostgreSQL is the pgserver wheel's, started here as the tests start it (tests/postgres.py)."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bot.broadcasts.engine import concurrency_for
from bot.broadcasts.outcomes import FLUSH_INTERVAL
from tests.broadcasts.conftest import eventually
from tests.fakes.process import bot_env, free_port, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer, Limits, most_in_one_second
from tests.fakes.subscribers import bulk_subscribe, query
from tests.postgres import create_database, start_server, stop_server

FIRST_ID = 10_000_000
CHUNK = 10_000     # one transaction each: within the storage layer's statement timeout here


async def role(port: int) -> str:
    try:
        async with aiohttp.ClientSession() as session, session.get(
                f"http://127.0.0.1:{port}/healthz", timeout=aiohttp.ClientTimeout(total=1)) as r:
            return str(json.loads(await r.text())["role"])
    except (aiohttp.ClientError, TimeoutError):
        return "unreachable"


async def _true(value: bool) -> bool:
    return value


async def _answers(port: int) -> bool:
    return await role(port) != "unreachable"


async def _leads(port: int) -> bool:
    return await role(port) == "leader"


async def _done(url: str) -> bool:
    return await query(url, "SELECT state FROM broadcasts") == [("done",)]


async def cli(env: dict[str, str], *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(out.decode()[-2000:])
    return out.decode()


async def run(folder: Path, url: str, recipients: int, rate: int, at: float, how: str) -> None:
    ids = list(range(FIRST_ID, FIRST_ID + recipients))
    for start in range(0, recipients, CHUNK):
        await bulk_subscribe(url, ids[start:start + CHUNK])
    server = FakeBotApiServer("515151:FAILOVER-benchmark-token")
    server.limits = Limits()
    server.record_calls = False
    await server.start()
    ports = [free_port(), free_port()]
    envs, bots = [], []
    for name, port in zip("ab", ports, strict=True):
        (folder / name).mkdir()
        envs.append(bot_env(server, folder / name, DATABASE_URL=url, QUIET_HOURS="", DAILY_CAP="0",
                            PAID_BROADCAST="true", BROADCAST_RATE=str(rate), LOG_LEVEL="WARNING",
                            SEMANTIC_THREADS="0", WEBHOOK_URL="https://bot.example.org/hook",
                            WEBHOOK_SECRET="failover_bench", WEBHOOK_LISTEN="127.0.0.1",
                            WEBHOOK_PORT=str(port)))
    try:
        for env, name in zip(envs, "ab", strict=True):
            bots.append(await start_bot(server, env, folder / name, folder / name / "bot.log",
                                        "--webhook"))
            port = ports[len(bots) - 1]
            await eventually(functools.partial(_answers, port), within=30, what="healthz")
        await asyncio.sleep(2)
        roles = [await role(p) for p in ports]
        assert sorted(roles) == ["follower", "leader"], roles
        leader = roles.index("leader")
        other = 1 - leader
        await cli(envs[0], "broadcast", "send", "--text", "Uji failover (benchmark): abaikan.")
        began = time.monotonic()
        await eventually(lambda: _true(server.ok_counts["sendMessage"] >= recipients * at),
                         within=recipients / rate * 3 + 60, what=f"{at:.0%} sent")
        victim = bots[leader]
        hit = time.monotonic()
        sent_at_signal = server.ok_counts["sendMessage"]
        takeover = 0.0
        if how != "none":
            victim.send_signal(signal.SIGKILL if how == "kill" else signal.SIGSTOP)
            await eventually(lambda: _leads(ports[other]), within=60, what="a takeover")
            takeover = time.monotonic() - hit
        if how == "stop":
            victim.send_signal(signal.SIGCONT)
        for _ in range(int(recipients / rate * 6) + 120):    # a database read every 0.5 s
            if await _done(url):
                break
            await asyncio.sleep(0.5)
        took = time.monotonic() - began
        resumed = await role(ports[leader]) if how == "stop" else "dead"
    finally:
        for bot in bots:
            if bot.returncode is None:
                await stop_bot(bot, server)
        await server.stop()
    delivered = [server.delivered[i] for i in ids]
    lost = sum(1 for n in delivered if n == 0)
    duplicates = sum(n - 1 for n in delivered if n > 1)
    bound = concurrency_for(rate) + rate * FLUSH_INTERVAL
    outcomes = await query(url, "SELECT outcome, COUNT(*) FROM deliveries GROUP BY outcome")
    fate = {"kill": "killed (kill -9)", "stop": "hung (SIGSTOP)", "none": "left alone"}[how]
    print(f"{recipients} recipients at {rate}/s (paid), leader {fate} at {sent_at_signal} sent "
          f"({sent_at_signal / recipients:.0%}):")
    print(f"  takeover {takeover:.2f} s (signal to the other process leading)")
    print(f"  lost {lost}; duplicates {duplicates} (bound: {concurrency_for(rate)} in flight + "
          f"{rate * FLUSH_INTERVAL:g} in one flush interval = {bound:g}); 429s {server.too_many}; "
          f"most messages in any one second {most_in_one_second(server.arrivals)}")
    before = [t for t in server.arrivals if t <= hit]
    print(f"  before the signal: {(len(before) - 1) / (before[-1] - before[0]):.0f}/s")
    after = [t for t in server.arrivals if t > hit + takeover]
    if how != "none" and len(after) > 1:
        print(f"  the new leader's first message {after[0] - hit:.2f} s after the signal, then "
              f"{(len(after) - 1) / (after[-1] - after[0]):.0f}/s")
    print(f"  whole broadcast {took:.1f} s ({recipients / took:.0f}/s); outcomes {dict(outcomes)}"
          + (f"; the resumed old leader is now: {resumed}" if how == "stop" else ""))


async def main_async(args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    pg, admin = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = await create_database(admin)
            await run(Path(tmp), url, args.recipients, args.rate, args.at, args.signal)
    finally:
        stop_server(pg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--at", type=float, default=0.4, help="fraction sent when the leader goes")
    parser.add_argument("--signal", choices=("kill", "stop", "none"), default="kill",
                        help="none: the baseline, nobody dies")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
