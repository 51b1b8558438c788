"""Daily counters for statistics, counted in memory and written every few seconds in one
transaction (a write per question would compete with the answers for the database).
Telegram-free; no text and no user id is kept, only the day and the dimensions.

Several processes on one database: each adds its own increments (`count = count + n`, an
upsert), never overwrites, so their counts add up; nothing is shared but the rows."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime

from bot.storage import Database
from bot.storage.db import DatabaseUnavailable
from bot.storage.insights import StatKey, add_daily_stats
from bot.storage.users import User
from bot.tasks import cancel_and_wait

log = logging.getLogger(__name__)
FLUSH_SECONDS = 5.0


def place_of(region_code: str | None) -> str:
    """Where a citizen's events are counted (the `kecamatan` dimension): the kecamatan of their
    desa (16.03.02.2001 lies in 16.03.02, Kemendagri codes), or their kabupaten/kota code when
    that is all they chose (16.03); either begins with the kabupaten/kota, which is how
    regional officials' statistics are cut."""
    if not region_code:
        return ""
    parts = region_code.split(".")
    return ".".join(parts[:3]) if len(parts) >= 2 else ""


class StatsRecorder:
    def __init__(self) -> None:
        self._pending: Counter[StatKey] = Counter()
        self._task: asyncio.Task[None] | None = None
        self._db: Database | None = None

    def count(self, now: datetime, metric: str, user: User | None, language: str,
              topic: str = "", campaign: str | None = None) -> None:
        """One event; its campaign is the one that brought the citizen in, unless given."""
        if campaign is None:
            campaign = (user.campaign or "") if user else ""
        key = (now.date().isoformat(), metric, topic,
               place_of(user.region_code) if user else "", language, campaign)
        self._pending[key] += 1

    def start(self, db: Database) -> None:
        self._db = db
        self._task = asyncio.create_task(self._run(), name="stats")

    async def flush(self) -> None:
        if self._db is None or not self._pending:
            return
        batch, self._pending = self._pending, Counter()
        try:
            # In key order: two processes adding to the same rows lock them in one order, so
            # their transactions wait for each other instead of deadlocking (PostgreSQL).
            await add_daily_stats(self._db, sorted(batch.items()))
        except Exception as exc:   # a locked or full disk: keep the counts for the next try
            self._pending.update(batch)
            level = logging.DEBUG if isinstance(exc, DatabaseUnavailable) else logging.WARNING
            log.log(level, "daily counters not written (%s); retrying", type(exc).__name__)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            await self.flush()

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)
        await self.flush()
