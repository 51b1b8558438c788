"""The sends of one broadcast run that are in flight: at most `limit` at once, and at shutdown
a bounded wait, after which a send still unanswered is recorded as unknown (it may or may
not have been delivered, so it is never resent)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

from bot.storage.broadcasts import Outcome, Recipient

log = logging.getLogger(__name__)

SETTLE_ON_STOP = 4.0     # in-flight sends get this long after shutdown begins


class InFlight:
    def __init__(self, limit: int, stop: asyncio.Event, stats: Counter[str],
                 record: Callable[[Outcome], None]) -> None:
        self.semaphore = asyncio.Semaphore(limit)
        self.stop, self.stats, self.record = stop, stats, record
        self.tasks: dict[asyncio.Task[None], Recipient] = {}

    async def slot(self) -> bool:
        """A sending slot, or False if shutdown comes first (sends may hang until then)."""
        if not self.semaphore.locked():
            await self.semaphore.acquire()
            return True
        acquire = asyncio.ensure_future(self.semaphore.acquire())
        stop = asyncio.ensure_future(self.stop.wait())
        await asyncio.wait({acquire, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if acquire.done() and not acquire.cancelled():
            return True
        acquire.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await acquire
        if not acquire.cancelled():     # it was granted as it was being cancelled
            self.semaphore.release()
        return False

    def start(self, send: Coroutine[Any, Any, None], recipient: Recipient) -> None:
        """Run one send in the slot just taken; the slot is freed when it ends, however."""
        task = asyncio.create_task(send)
        self.tasks[task] = recipient

        def done(finished: asyncio.Task[None]) -> None:
            self.tasks.pop(finished, None)
            self.semaphore.release()

        task.add_done_callback(done)

    async def settle(self, broadcast_id: int) -> None:
        """Wait for every send; once shutdown begins, for SETTLE_ON_STOP more at most."""
        if not self.tasks:
            return
        stop = asyncio.ensure_future(self.stop.wait())
        try:
            while self.tasks and not self.stop.is_set():
                await asyncio.wait({*self.tasks, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if self.tasks:
            _, late = await asyncio.wait(list(self.tasks), timeout=SETTLE_ON_STOP)
            for task in late:
                recipient = self.tasks.get(task)
                task.cancel()
                if recipient is not None:
                    self.stats["unknown"] += 1
                    self.stats["outcome:unknown"] += 1
                    self.record(Outcome(recipient.user_id, "unknown",
                                        "no answer before shutdown", recipient.attempts + 1))
        for result in await asyncio.gather(*self.tasks, return_exceptions=True):
            if isinstance(result, Exception):  # a send records its own errors; this is a bug
                self.stats["send_errors"] += 1
                log.error("broadcast %d: send task raised %s", broadcast_id, type(result).__name__)
