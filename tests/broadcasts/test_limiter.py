"""The bucket against Telegram's count, on a fake clock: however late requests, answers, the
fake server or the event loop itself are, no one-second interval holds more arrivals than the
limit (limiter.py: a message occupies a place from its send until a second after its answer).

The event loop here runs on virtual time: when nothing is ready, time jumps to the next timer,
so seconds of sending at 1000/s take a fraction of a second, and a "stalled loop" is a callback
that moves the clock on while it holds the loop (every timer due meanwhile fires late)."""

from __future__ import annotations

import asyncio
import random
import selectors
import types
from typing import Any

import pytest

from bot.broadcasts import limiter
from bot.broadcasts.limiter import TokenBucket
from tests.fakes.server import most_in_one_second


class _Clock(selectors.SelectSelector):
    now = 1000.0

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = super().select(0)
        if not ready and timeout:        # nothing to do until the next timer: jump to it
            self.now += max(timeout, 1e-6)   # (a real sleep takes a microsecond at least)
        return ready


class VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.clock = _Clock()
        super().__init__(self.clock)

    def time(self) -> float:
        return self.clock.now

    def stall(self, seconds: float) -> None:
        """A callback that holds the loop this long."""
        self.clock.now += seconds


def simulate(monkeypatch: pytest.MonkeyPatch, rate: int, seconds: float,
             seed: int) -> list[float]:
    """Broadcast at `rate` (= the limit) for `seconds`; when each message arrived."""
    rng = random.Random(seed)
    loop = VirtualLoop()
    monkeypatch.setattr(limiter, "time", types.SimpleNamespace(monotonic=loop.time))
    start = loop.time()
    # The fake server is stalled now and then: what reaches it meanwhile is read at the end.
    server_stalls, moment = [], start
    while moment < start + seconds:
        moment += rng.uniform(0.5, 2.5)
        server_stalls.append((moment, moment + rng.uniform(0.02, 0.15)))
    for _ in range(int(seconds / 2)):    # and so is the bot's own loop
        loop.call_at(start + rng.uniform(0, seconds), loop.stall, rng.uniform(0.01, 0.1))

    def transit() -> float:
        """One way: mostly a few ms, now and then far longer (a new connection, a retry)."""
        return rng.uniform(0.001, 0.005) if rng.random() < 0.9 else rng.uniform(0.02, 0.3)

    def read_at(reached: float) -> float:
        for begin, end in server_stalls:
            if begin <= reached < end:
                return end
        return reached

    arrivals: list[float] = []

    async def message(bucket: TokenBucket) -> None:
        arrived = read_at(loop.time() + transit())      # written when this task first runs
        arrivals.append(arrived)
        await asyncio.sleep(arrived + transit() - loop.time())
        bucket.release()                                # the answer is in

    async def broadcast() -> None:
        bucket = TokenBucket(rate, rate)
        sends: set[asyncio.Task[None]] = set()
        while loop.time() < start + seconds:
            await bucket.acquire()
            task = asyncio.create_task(message(bucket))
            sends.add(task)
            task.add_done_callback(sends.discard)
        await asyncio.gather(*sends)

    try:
        loop.run_until_complete(broadcast())
    finally:
        loop.close()
    return arrivals


@pytest.mark.parametrize(("rate", "seconds"), [(1000, 6.0), (30, 40.0)])
def test_no_second_holds_more_arrivals_than_the_limit_however_late_anything_is(
        monkeypatch: pytest.MonkeyPatch, rate: int, seconds: float) -> None:
    for seed in range(3):
        arrivals = simulate(monkeypatch, rate, seconds, seed)
        assert most_in_one_second(arrivals) <= rate, seed
        # ... and not by sending little: the stalls and slow round trips cost some of the rate.
        assert len(arrivals) >= rate * seconds * 0.85, (seed, len(arrivals))


def test_the_virtual_clock_moves_only_when_asked() -> None:
    """The test's clock: sleeps take no real time, and a stall makes timers late."""
    loop = VirtualLoop()
    fired: list[float] = []

    async def main() -> None:
        began = loop.time()
        loop.call_later(0.05, loop.stall, 0.3)
        await asyncio.sleep(0.1)
        fired.append(loop.time() - began)
        await asyncio.sleep(10)
        fired.append(loop.time() - began)

    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
    assert fired[0] == pytest.approx(0.35) and fired[1] == pytest.approx(10.35)
