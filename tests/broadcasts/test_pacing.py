"""Telegram's limit is per bot: the replies of several processes on one PostgreSQL and the
leader's broadcasts stay within it together, over any one-second interval (broadcasts/pacing.py).

The processes here are SharedSends objects in one test process, each with its own database
connection and its own HTTP transport (bot/transport.py), sending to the fake Bot API. What is
checked is when each message was let go (after `turn()` or the bucket), over every sliding
window of one second: the limiter's places (a message's, from its send until a second after its
answer) hold arrivals to the limit as well, which test_limiter.py checks with a fake clock."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time

import pytest
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.broadcasts.limiter import SPAN, RecentSends, TokenBucket
from bot.broadcasts.pacing import RAISE, SharedSends
from bot.storage import Database, open_database
from bot.transport import AiohttpRequest
from tests.fakes.server import FakeBotApiServer, Limits, most_in_one_second

TOKEN = "123:pacing-test"
LIMIT = 30
_chats = itertools.count(1)      # every message to a new chat: only the bot's limit counts
LET_GO: list[float] = []         # when each message was let go, by any process


def most_in_a_window(times: list[float]) -> int:
    """The most messages let go in any window of SPAN seconds (sliding)."""
    most, start = 0, 0
    ordered = sorted(times)
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= SPAN:
            start += 1
        most = max(most, end - start + 1)
    return most


class Logged(SharedSends):
    def note(self) -> None:
        super().note()
        LET_GO.append(time.monotonic())


def message(text: str) -> RequestData:
    return RequestData([RequestParameter.from_input("chat_id", next(_chats)),
                        RequestParameter.from_input("text", text)])


class Process:
    """One bot process: its database, its replies (paced), its transport."""

    def __init__(self, url: str, server: FakeBotApiServer) -> None:
        self.url, self.server = url, server
        self.sends = Logged(LIMIT)
        self.transport = AiohttpRequest(sends=self.sends, retries=False)
        self.sent = 0
        self.db: Database | None = None

    async def start(self) -> None:
        self.db = await open_database(self.url)
        self.sends.start(self.db)
        await self.transport.initialize()

    async def reply(self) -> None:
        status, _ = await self.transport.do_request(
            f"{self.server.url}/bot{TOKEN}/sendMessage", "POST", message("ok"))
        assert status == 200
        self.sent += 1

    async def stop(self, dies: bool = False) -> None:
        """Stop; `dies`: as kill -9, its row stays behind (the others wait it out)."""
        if dies:
            assert self.sends._task is not None
            self.sends._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.sends._task
            self.sends._task = None
        else:
            await self.sends.stop()
        await self.transport.shutdown()
        assert self.db is not None
        await self.db.close()


async def steady(process: Process, per_second: float, until: float) -> None:
    """Citizens asking at a steady rate, each reply on its own (as handlers send them)."""
    tasks = []
    while time.monotonic() < until:
        tasks.append(asyncio.create_task(process.reply()))
        await asyncio.sleep(1 / per_second)
    await asyncio.wait_for(asyncio.gather(*tasks), 15)


async def flood(process: Process, until: float) -> None:
    """More replies than the bot may send: 12 chats' replies back to back."""
    async def one() -> None:
        while time.monotonic() < until:
            await process.reply()
    await asyncio.gather(*(one() for _ in range(12)))


async def test_replies_of_all_processes_and_broadcasts_stay_within_the_limit(
        pg_url: str) -> None:
    server = FakeBotApiServer(TOKEN)
    server.record_calls = False
    server.limits = Limits(per_second=LIMIT)     # 429 for any second with more arrivals
    LET_GO.clear()
    await server.start()
    leader, other, newcomer = (Process(pg_url, server) for _ in range(3))
    engine = AiohttpRequest(retries=False)       # the leader's broadcasts: not replies
    bucket = TokenBucket(LIMIT, LIMIT, leader.sends)
    broadcast = 0

    async def broadcasting(until: float) -> None:
        nonlocal broadcast
        while time.monotonic() < until:
            await bucket.acquire()
            LET_GO.append(time.monotonic())
            try:
                status, _ = await engine.do_request(
                    f"{server.url}/bot{TOKEN}/sendMessage", "POST", message("b"))
            finally:
                bucket.release()
            assert status == 200
            broadcast += 1

    try:
        await engine.initialize()
        await leader.start()
        await other.start()
        began = time.monotonic()
        work = [asyncio.create_task(broadcasting(began + 6.5)),
                asyncio.create_task(steady(leader, 3, began + 6.5)),
                asyncio.create_task(steady(other, 8, began + 6.5))]
        await asyncio.sleep(1.0)
        await newcomer.start()                   # a process joins, and floods
        await flood(newcomer, began + 4.0)
        flooded = newcomer.sent
        await newcomer.stop(dies=True)           # ... and dies
        await asyncio.gather(*work)
    finally:
        for process in (leader, other):
            await process.stop()
        await engine.shutdown()
        await server.stop()

    # Within the bot's limit in every window, all processes' replies and the broadcast.
    assert len(LET_GO) == server.ok_counts["sendMessage"]
    assert most_in_a_window(LET_GO) <= LIMIT
    assert server.too_many == 0 and most_in_one_second(server.arrivals) <= LIMIT
    # Everyone got their share: the steady replies all went, the flood got what was left,
    # and the broadcast what the replies left (it was always asking).
    assert leader.sent >= 3 * 6 and other.sent >= 8 * 6
    assert flooded >= 20 and broadcast >= 20
    # Busy seconds were used, not wasted: with no one reserving more than their share, the
    # bot sent most of what it may (after the first processes waited RAISE to start).
    total = leader.sent + other.sent + flooded + broadcast
    assert total >= LIMIT * (6.5 - RAISE) * 0.6, (leader.sent, other.sent, flooded, broadcast)


async def test_one_process_on_sqlite_replies_at_once_and_broadcasts_take_the_rest() -> None:
    """SQLite (one process): replies are counted, never held; the engine leaves them their
    share and room to grow (as before several processes)."""
    sends = RecentSends()
    began = time.monotonic()
    for _ in range(10):
        await sends.turn()
    assert time.monotonic() - began < 0.05
    bucket = TokenBucket(LIMIT, LIMIT, sends)
    assert bucket.allowance(time.monotonic()) == LIMIT - 10 - (2 + 10 // 4)
    assert TokenBucket(LIMIT, LIMIT, RecentSends()).allowance(time.monotonic()) == LIMIT


async def test_reservations_lower_at_once_rise_late_and_a_newcomer_waits(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules, without a database: what the others answer is scripted."""
    from bot.broadcasts import pacing
    from bot.storage.db import DatabaseError
    from bot.storage.processes import Peer

    answers: list[list[Peer] | Exception] = []
    published: list[tuple[str, int, bool]] = []

    def fake(kind: str) -> object:
        async def call(db: object, pid: str, reserved: int, broadcasting: bool) -> list[Peer]:
            published.append((kind, reserved, broadcasting))
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return call

    monkeypatch.setattr(pacing, "join", fake("join"))
    monkeypatch.setattr(pacing, "publish", fake("publish"))
    alone = SharedSends(LIMIT)
    alone._db = object()      # type: ignore[assignment]
    answers.append([])
    assert await alone.publish_once()
    now = time.monotonic()
    assert published[-1] == ("join", LIMIT, False)        # alone: joins, may reply at once
    assert alone.cap(now) == LIMIT and alone.room(LIMIT, now) == 0   # no room for broadcasts
    answers.append([])
    assert await alone.publish_once()                      # the engine asked: reserve less
    assert published[-1] == ("publish", pacing.FLOOR, True)
    now = time.monotonic()
    assert alone.cap(now) == pacing.FLOOR and alone.room(LIMIT, now) == LIMIT - pacing.FLOOR
    alone._room_asked = -float("inf")                      # the broadcast is over
    answers.append([])
    assert await alone.publish_once()
    assert published[-1] == ("publish", LIMIT, False)
    assert alone.cap(time.monotonic()) == pacing.FLOOR     # the raise binds only RAISE later
    for _ in range(20):                                    # the database out: few promises
        answers.append(DatabaseError("down"))
        assert not await alone.publish_once()
    assert len(alone._promises) <= 4

    newcomer = SharedSends(LIMIT)
    newcomer._db = object()   # type: ignore[assignment]
    answers.append([Peer(12, False, 0.3), Peer(30, True, 9.0)])    # one live, one gone
    assert await newcomer.publish_once()
    assert published[-1][0] == "join"
    assert newcomer.processes == 2 and newcomer.fair_share() == LIMIT // 2
    assert newcomer.cap(time.monotonic()) == 0     # the other may not know it yet: waits RAISE
