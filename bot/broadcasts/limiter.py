"""Rate control for broadcasts: one global token bucket that a 429 pauses, and per-chat spacing."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque

SLOWDOWN = 0.95         # after a 429 (and its pause), send at this share of the rate...
SLOWDOWN_SECONDS = 10.0  # ...for this long


class TokenBucket:
    """Evenly spaced sends at `rate`/s that never exceed `rate` in any one-second window.

    The bucket holds 20 ms of tokens (at least 2), so the event loop's timer jitter does not
    eat into the rate; a sliding one-second window caps what that slack could add, since
    Telegram counts messages per second. The window keeps 2% in hand: requests sent evenly
    can still arrive bunched by a stall of some milliseconds on either side.
    """

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(2.0, rate * 0.02)
        self.per_second = rate * 0.98
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

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    self._stamp = time.monotonic()
                    continue
                rate = self.current_rate
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * rate)
                self._stamp = now
                if self._tokens < 1.0:
                    await asyncio.sleep((1.0 - self._tokens) / rate)
                    continue
                window = self._window
                while window and now - window[0] >= 1.0:
                    window.popleft()
                if len(window) >= self.per_second * (rate / self.rate):
                    await asyncio.sleep(window[0] + 1.0 - now)
                    continue
                self._tokens -= 1.0
                window.append(now)
                return


class ChatSpacing:
    """At most one message per chat per `interval` seconds (remembers only recent chats)."""

    def __init__(self, interval: float = 1.0, remember: int = 50_000) -> None:
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
