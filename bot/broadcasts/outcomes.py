"""A broadcast run's outcomes (sent, blocked, failed, capped, unknown, rate_limited), buffered
and committed every FLUSH_INTERVAL with their side effects (daily counts, blocked subscribers
made inactive), by a task beside the send loop (engine.py).

Duplicates: a crash loses nothing: recipients without a committed outcome are sent on restart;
those can be duplicates only if they were in flight or sent within the last flush interval (at
most `concurrency + rate * FLUSH_INTERVAL` messages). A graceful stop flushes, so it duplicates
none. An outcome the database refuses is kept for the next try: one never written is a message
sent twice. Only a fenced leader (StaleLeader) stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from bot.storage import Database
from bot.storage.broadcasts import Broadcast, Outcome, record_outcomes
from bot.storage.db import StaleLeader

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.1     # seconds between outcome commits
FINAL_FLUSH_RETRIES = 5  # the last outcomes: about 12 s of retries before giving up (and resending)


class Outcomes:
    """The outcomes of one broadcast's run not yet committed."""

    def __init__(self, db: Database, broadcast: Broadcast, now: Callable[[], datetime],
                 day: Callable[[], str]) -> None:
        self.db, self.broadcast, self.now, self.day = db, broadcast, now, day
        self.pending: list[Outcome] = []      # swapped out at each flush
        self.finished = asyncio.Event()       # the run is over: the flusher ends

    def add(self, outcome: Outcome) -> None:
        self.pending.append(outcome)

    async def flusher(self) -> None:
        """Commit every FLUSH_INTERVAL until the run is finished."""
        while not self.finished.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.finished.wait(), FLUSH_INTERVAL)
            try:
                await self.flush_or_keep()
            except StaleLeader:
                raise
            except Exception:   # logged; the outcomes are kept for the next interval
                continue

    async def flush_or_keep(self, retries: int = 0) -> None:
        """Write the outcomes; a write the database refuses (locked, unreachable) keeps them for
        the next try, `retries` times here, after that at the next interval: an outcome never
        written is a message sent twice. Only a fenced leader stops."""
        for attempt in range(retries + 1):
            try:
                await self.flush()
                return
            except StaleLeader:
                raise
            except Exception as exc:
                log.warning("broadcast %d: %d outcomes not written yet (%s); trying again",
                            self.broadcast.id, len(self.pending), type(exc).__name__)
                if attempt == retries:
                    raise
                await asyncio.sleep(min(0.5 * 2 ** attempt, 5.0))

    async def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        try:
            await record_outcomes(self.db, self.broadcast.id, batch, self.now(), self.day(),
                                  counts_toward_cap=not self.broadcast.urgent)
        except BaseException:
            self.pending[:0] = batch  # kept for the next flush: unrecorded means resent
            raise
