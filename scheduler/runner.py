"""APScheduler wiring with the database as the source of truth.

At start-up the calendar is synced into `scheduled_sends`: new occurrences are added, changed
ones rescheduled, removed ones cancelled. A pending send already due is enqueued now if it is
within the grace period (SCHEDULE_GRACE_HOURS) and otherwise recorded as skipped with the reason.
Future ones become APScheduler date jobs whose misfire_grace_time is that same grace period
(APScheduler's default of 1 s would silently drop a job due during a restart). Enqueueing goes
through the outbox with a unique schedule key, so a send can never go out twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock
from bot.content.registry import Content
from bot.settings import Settings
from bot.storage import Database, open_database
from bot.storage.schedule import enqueue_send, pending_sends, skip_send, sync_sends
from scheduler.calendar import Occurrence, occurrences

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    added: int = 0
    rescheduled: int = 0
    cancelled: int = 0
    enqueued: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    future: list[Occurrence] = field(default_factory=list)


class ScheduleRunner:
    def __init__(self, settings: Settings, content: Content, clock: Clock,
                 database_path: str | None = None,
                 on_enqueue: Callable[[], None] | None = None) -> None:
        self.settings, self.content, self.clock = settings, content, clock
        self.database_path = str(database_path or settings.database)
        self.grace = timedelta(hours=settings.schedule_grace_hours)
        self.on_enqueue = on_enqueue
        self._db: Database | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._pending_tasks: set[asyncio.Task[None]] = set()
        self.epoch: int | None = None

    @property
    def db(self) -> Database:
        assert self._db is not None, "scheduler not started"
        return self._db

    async def start(self, epoch: int | None = None) -> SyncReport:
        """Sync and schedule; as the leader of `epoch` when there are several (its writes are
        fenced: a leader that lost the lead enqueues nothing)."""
        self.epoch = epoch
        self._db = await open_database(self.database_path)
        self._db.fence = epoch
        report = await self.sync()
        scheduler = AsyncIOScheduler(timezone=UTC)
        for occ in report.future:
            scheduler.add_job(self._fire, DateTrigger(run_date=occ.due_at), args=[occ.key],
                              id=occ.key, replace_existing=True, coalesce=True,
                              misfire_grace_time=int(self.grace.total_seconds()) or 1)
        scheduler.add_listener(self._missed, EVENT_JOB_MISSED)
        scheduler.start()
        self._scheduler = scheduler
        log.info("schedule: %d upcoming, %d enqueued at start-up, %d skipped",
                 len(report.future), len(report.enqueued), len(report.skipped))
        return report

    async def reload(self, content: Content) -> None:
        """New content: the calendar is synced again from it (stop, swap, start); a scheduler
        not running here (another process leads) only takes the content."""
        running = self.running
        await self.stop()
        self.content = content
        if running:
            await self.start(self.epoch)

    @property
    def running(self) -> bool:
        return self._scheduler is not None and bool(self._scheduler.running)

    async def stop(self) -> None:
        try:
            if self._scheduler is not None:
                self._scheduler.shutdown(wait=False)
                self._scheduler = None
            if self._pending_tasks:
                await asyncio.gather(*self._pending_tasks, return_exceptions=True)
        finally:
            if self._db is not None:
                await self._db.close()
                self._db = None

    # -- the database side ------------------------------------------------------------------

    async def sync(self) -> SyncReport:
        now = self.clock.now()
        wanted = {o.key: o for o in occurrences(self.content)}
        counts = await sync_sends(self.db, wanted, now)
        report = SyncReport(counts.added, counts.rescheduled, counts.cancelled)
        for key, due in await pending_sends(self.db):
            if due > now:
                report.future.append(wanted[key])
            elif now - due <= self.grace:
                await self.enqueue(key)
                report.enqueued.append(key)
            else:
                await self._skip(key, f"due {due.isoformat()} while the bot was not running; more "
                                      f"than {self.settings.schedule_grace_hours:g} h ago (grace period)")
                report.skipped.append(key)
        return report

    async def _skip(self, key: str, reason: str) -> None:
        if await skip_send(self.db, key, reason):
            log.warning("scheduled send %s skipped: %s", key, reason)

    async def enqueue(self, key: str) -> int | None:
        """Turn a pending scheduled send into a broadcast, at most once."""
        broadcast_id = await enqueue_send(self.db, key, self.clock.now())
        if broadcast_id is None:
            return None
        log.info("scheduled send %s enqueued as broadcast %s", key, broadcast_id)
        if self.on_enqueue is not None:
            self.on_enqueue()
        return broadcast_id

    # -- APScheduler callbacks ----------------------------------------------------------------

    async def _fire(self, key: str) -> None:
        await self.enqueue(key)

    def _missed(self, event: JobExecutionEvent) -> None:
        task = asyncio.get_running_loop().create_task(
            self._skip(event.job_id, f"fired more than {self.settings.schedule_grace_hours:g} h "
                                     "late (grace period)"))
        self._pending_tasks.add(task)
        task.add_done_callback(self._pending_tasks.discard)
