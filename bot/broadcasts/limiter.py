"""Rate control for broadcasts, as Telegram counts at its end.

Telegram counts the messages that *arrive* in any one-second interval, for the whole bot. We
cannot see an arrival, only that it lies between the moment we send a message and the moment
its answer is in our hands. So a message *occupies* a place from its send until SPAN after its
answer (or its failure, or its timeout), and a message goes only while fewer than the limit
occupy a place. Whatever one-second interval Telegram looks at, every message that arrived in
it still occupied its place at the interval's end (it was sent before and answered at most
SPAN earlier), so no interval holds more arrivals than the limit: however late the event loop,
the network or the server, delays only slow the pace. The cost is the round trip: at 1000/s
with answers in 3 ms, about 997/s.

Replies to citizens share the bot's limit: `RecentSends` counts their places the same way (the
transport calls `turn()` before and `answered()` after each message), and the bucket yields
that share (the engine never takes what replies occupy). Several processes on PostgreSQL:
`pacing.SharedSends`, the same calls. Per chat: a broadcast message goes to a chat SPAN after
the answer to the one before (`ChatSpacing`). Another process's messages cannot be seen: for
those (a new leader's hold, reservations in pacing.py) a round trip is assumed under TRANSIT.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque

SPAN = 1.0               # Telegram counts arrivals in any interval this long
TRANSIT = 0.5            # a round trip assumed for messages whose answer we cannot see
SLOWDOWN = 0.95          # after a 429 (and its pause), send at this share of the rate...
SLOWDOWN_SECONDS = 10.0  # ...for this long


class Places:
    """Messages that occupy a place now: in flight, or answered less than SPAN ago."""

    def __init__(self) -> None:
        self.in_flight = 0
        self._ends: deque[float] = deque()     # answered ones: when their place frees

    def take(self) -> None:
        self.in_flight += 1

    def free(self, now: float) -> None:
        """An answer (or a failure): the place stays taken SPAN more."""
        self.in_flight = max(0, self.in_flight - 1)
        self._ends.append(now + SPAN)

    def count(self, now: float) -> int:
        ends = self._ends
        while ends and ends[0] <= now:
            ends.popleft()
        return self.in_flight + len(ends)

    def next_free(self) -> float | None:
        """When the next answered place frees (None: only messages in flight)."""
        return self._ends[0] if self._ends else None

    def last_free(self) -> float | None:
        return self._ends[-1] if self._ends else None


class RecentSends:
    """The places of the bot's replies (this process's)."""

    def __init__(self) -> None:
        self.places = Places()

    def note(self) -> None:
        self.places.take()

    def answered(self) -> None:
        self.places.free(time.monotonic())

    def count(self, now: float | None = None) -> int:
        return self.places.count(time.monotonic() if now is None else now)

    async def turn(self) -> None:
        """A reply goes now (one process: replies are not paced); counted."""
        self.note()

    def room(self, limit: float, now: float) -> int:
        """What broadcasts may occupy now: what replies leave, with room for them to come a
        little faster than they did (they are not paced). Several processes:
        pacing.SharedSends."""
        replies = self.count(now)
        reserve = 2 + replies // 4 if replies else 0
        return int(limit) - replies - reserve


class TokenBucket:
    """Evenly spaced sends (at `rate`) of which never more than `rate` (nor, with replies,
    more than `limit` less what replies occupy) occupy a place at once.

    `acquire()` takes a place for one message; `release()`, when its answer came or it
    failed (or never left), starts the SPAN after which the place frees. The bucket holds 5 ms
    of tokens (at least 2), so the event loop's timer jitter does not eat into the rate.
    """

    def __init__(self, rate: float, limit: float | None = None,
                 replies: RecentSends | None = None) -> None:
        self.rate = rate
        self.limit = limit if limit is not None else rate
        self.replies = replies
        self.capacity = max(2.0, rate * 0.005)
        self.places = Places()
        self._tokens = 0.0
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._slow_until = 0.0
        self._lock = asyncio.Lock()

    @property
    def current_rate(self) -> float:
        return self.rate * (SLOWDOWN if time.monotonic() < self._slow_until else 1.0)

    def pause(self, seconds: float) -> None:
        """Honour a 429 exactly: nothing is sent before `seconds` from now; then go slower."""
        now = time.monotonic()
        self._paused_until = max(self._paused_until, now + seconds)
        self._slow_until = self._paused_until + SLOWDOWN_SECONDS
        self._tokens = 0.0

    def hold(self, seconds: float) -> None:
        """Nothing sent before `seconds` from now, at the full pace after (a new leader: the
        old one's last messages still count at Telegram)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self._tokens = 0.0

    def allowance(self, now: float) -> int:
        """How many places the engine may occupy now."""
        share = int(self.current_rate + 1e-9)
        if self.replies is not None:
            share = min(share, self.replies.room(self.limit, now))
        return share

    async def acquire(self) -> None:
        """Wait for a place and take it: release() it once the message is answered."""
        async with self._lock:
            while True:
                now = time.monotonic()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    self._stamp = time.monotonic()
                    continue
                pace = self.current_rate
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * pace)
                self._stamp = now
                if self._tokens < 1.0 - 1e-9:
                    await asyncio.sleep((1.0 - self._tokens) / pace)
                    continue
                if self.places.count(now) >= self.allowance(now):
                    # Wait for the next of ours to free (all in flight: for an answer; the
                    # replies' share may free up sooner: look again within 10 ms).
                    free = self.places.next_free()
                    wait = free - now if free is not None else 0.002
                    await asyncio.sleep(min(max(wait, 0.001), 0.01) if self.replies else
                                        max(wait, 0.001))
                    continue
                self._tokens -= 1.0
                self.places.take()
                return

    def release(self) -> None:
        """The message taken a place for was answered, failed, or never left."""
        self.places.free(time.monotonic())


class ChatSpacing:
    """A chat's next message goes SPAN after the answer to its last one (`answered`; until
    then, after it was sent). Remembers only recent chats."""

    def __init__(self, interval: float = SPAN, remember: int = 50_000) -> None:
        self.interval = interval
        self._last: OrderedDict[int, float] = OrderedDict()
        self._remember = remember

    async def wait(self, chat_id: int) -> None:
        last = self._last.get(chat_id)
        if last is not None:
            wait = last + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        self._last[chat_id] = time.monotonic()
        self._last.move_to_end(chat_id)
        while len(self._last) > self._remember:
            self._last.popitem(last=False)

    def answered(self, chat_id: int) -> None:
        if chat_id in self._last:
            self._last[chat_id] = time.monotonic()
