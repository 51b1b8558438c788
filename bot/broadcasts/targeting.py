"""Fixing a broadcast's recipients while it is sent: a task beside the engine's send loop fixes
them chunk after chunk (storage/targeting.py), each committed by itself, and the loop sends
each chunk as soon as it is committed. Memory holds one batch of recipients, never the whole
audience; a broadcast to millions starts sending within one chunk's time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from bot.storage import Database
from bot.storage.broadcasts import Broadcast
from bot.storage.targeting import CHUNK, fix_chunk

log = logging.getLogger(__name__)


class Targeting:
    """The recipients of one broadcast being fixed (nothing to do when they already are)."""

    def __init__(self, db: Database, broadcast: Broadcast, now: Callable[[], datetime],
                 chunk: int = CHUNK) -> None:
        self.db, self.broadcast, self.now, self.chunk = db, broadcast, now, chunk
        self.finished = broadcast.snapshotted
        self.chunks = 0                      # chunks committed by this task
        self.stopped = False                 # the broadcast was no longer 'sending'
        self.error: Exception | None = None
        self._stop = False
        self._progress = asyncio.Event()
        self._task = None if self.finished else asyncio.create_task(
            self._run(), name=f"targeting-{broadcast.id}")

    async def _run(self) -> None:
        try:
            while not self._stop:
                step = await fix_chunk(self.db, self.broadcast, self.now(), self.chunk)
                if step.stopped:
                    self.stopped = True
                    return
                self.chunks += 1
                if step.done:
                    self.finished = True
                    log.info("broadcast %d: %d recipients", self.broadcast.id, step.total)
                    return
                self._progress.set()
        except Exception as exc:      # the send loop raises it (StaleLeader included)
            self.error = exc
        finally:
            self._progress.set()

    def check(self) -> None:
        """Raise what stopped the targeting, if anything did."""
        if self.error is not None:
            raise self.error

    async def wait(self, seen: int, within: float) -> None:
        """Until a chunk after the `seen`th is committed, the targeting ends, or `within` seconds."""
        if self.chunks == seen and not self.finished and self.error is None:
            self._progress.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress.wait(), within)
        self.check()

    async def stop(self) -> None:
        """Stop after the chunk being fixed (it commits whole or not at all)."""
        self._stop = True
        if self._task is not None:
            await asyncio.shield(self._task)
