"""Rate control for broadcasts, as Telegram counts at its end.

Telegram counts the messages that *arrive* in any one-second interval, for the whole bot. A
sender that spaces messages exactly 1/rate apart can still see rate+1 arrive within one second
when one request is delayed a few milliseconds more than a later one (a fresh connection, a busy
event loop). So every count here is over a window of 1 s + JITTER, and the pace is
rate / (1 + JITTER): arrival delays may differ by up to JITTER without a 429, for ~2% of rate.

Replies to citizens share the bot's limit: `RecentSends` counts what the interactive transport
sent, and the bucket yields that share (the engine never takes what replies used in the last
window). Several processes on PostgreSQL: `pacing.SharedSends`, the same calls.
Per chat: at most one broadcast message per chat per 1 s + JITTER.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque

JITTER = 0.02            # seconds of transit-time difference absorbed at the receiving end
WINDOW = 1.0 + JITTER
SLOWDOWN = 0.95          # after a 429 (and its pause), send at this share of the rate...
SLOWDOWN_SECONDS = 10.0  # ...for this long


class RecentSends:
    """Timestamps of messages sent in the last window (by the bot's replies)."""

    def __init__(self) -> None:
        self._times: deque[float] = deque()

    def note(self) -> None:
        self._times.append(time.monotonic())
        self._trim(self._times[-1])

    def count(self, now: float | None = None) -> int:
        self._trim(time.monotonic() if now is None else now)
        return len(self._times)

    async def turn(self) -> None:
        """A reply goes now (one process: replies are not paced); counted."""
        self.note()

    def room(self, limit: float, now: float) -> int:
        """What broadcasts may have in the window ending now: what replies leave, with room
        for them to come a little faster than they did (they are not paced). Several
        processes: pacing.SharedSends."""
        replies = self.count(now)
        reserve = 2 + replies // 4 if replies else 0
        return int(limit) - replies - reserve

    def _trim(self, now: float) -> None:
        times = self._times
        while times and now - times[0] >= WINDOW:
            times.popleft()


class TokenBucket:
    """Evenly spaced sends that never put more than `rate` messages (nor, with replies, more
    than `limit`) into any window of WINDOW seconds.

    The bucket holds 5 ms of tokens (at least 2), so the event loop's timer jitter does not eat
    into the rate at high rates; the sliding window caps what that slack could add.
    """

    def __init__(self, rate: float, limit: float | None = None,
                 replies: RecentSends | None = None) -> None:
        self.rate = rate
        self.limit = limit if limit is not None else rate
        self.replies = replies
        self.capacity = max(2.0, rate * 0.005)
        self._tokens = 0.0
        self._window: deque[float] = deque()
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
        last second of the old one's messages still counts at Telegram)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self._tokens = 0.0

    def allowance(self, now: float) -> int:
        """How many messages the engine may have in the current window."""
        share = int(self.current_rate + 1e-9)
        if self.replies is not None:
            share = min(share, self.replies.room(self.limit, now))
        return share

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    self._stamp = time.monotonic()
                    continue
                pace = self.current_rate / WINDOW
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * pace)
                self._stamp = now
                if self._tokens < 1.0:
                    await asyncio.sleep((1.0 - self._tokens) / pace)
                    continue
                window = self._window
                while window and now - window[0] >= WINDOW:
                    window.popleft()
                if len(window) >= self.allowance(now):
                    # Wait for the oldest of ours to leave the window (replies' share may
                    # free up sooner: look again within 10 ms).
                    wait = window[0] + WINDOW - now if window else 0.01
                    await asyncio.sleep(min(max(wait, 0.001), 0.01) if self.replies else max(wait, 0.001))
                    continue
                self._tokens -= 1.0
                window.append(now)
                return


class ChatSpacing:
    """At most one message per chat per `interval` seconds (remembers only recent chats)."""

    def __init__(self, interval: float = WINDOW, remember: int = 50_000) -> None:
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
