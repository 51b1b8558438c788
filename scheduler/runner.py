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
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock
from bot.content.registry import Content
from bot.settings import Settings
from bot.storage import Database, open_database
from bot.storage.broadcasts import create_broadcast, iso
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
        self.database_path = str(database_path or settings.database_path)
        self.grace = timedelta(hours=settings.schedule_grace_hours)
        self.on_enqueue = on_enqueue
        self._db: Database | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._pending_tasks: set[asyncio.Task[None]] = set()

    @property
    def db(self) -> Database:
        assert self._db is not None, "scheduler not started"
        return self._db

    async def start(self) -> SyncReport:
        self._db = await open_database(self.database_path)
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

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._pending_tasks:
            await asyncio.gather(*self._pending_tasks, return_exceptions=True)
        if self._db is not None:
            await self._db.close()
            self._db = None

    # -- the database side ------------------------------------------------------------------

    async def sync(self) -> SyncReport:
        now = self.clock.now()
        report = SyncReport()
        wanted = {o.key: o for o in occurrences(self.content)}
        async with self.db.conn.execute(
                "SELECT key, due_at, template, topic, region, language, urgent, state"
                " FROM scheduled_sends") as cur:
            existing = {row[0]: row for row in await cur.fetchall()}
        for key, occ in wanted.items():
            values = (iso(occ.due_at), occ.template, occ.topic, occ.region, occ.language,
                      int(occ.urgent))
            row = existing.get(key)
            if row is None:
                await self.db.conn.execute(
                    "INSERT INTO scheduled_sends (key, due_at, template, topic, region, language,"
                    " urgent, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')", (key, *values))
                report.added += 1
            elif row[7] in ("pending", "cancelled") and tuple(row[1:7]) != values:
                await self.db.conn.execute(
                    "UPDATE scheduled_sends SET due_at = ?, template = ?, topic = ?, region = ?,"
                    " language = ?, urgent = ?, state = 'pending', reason = NULL WHERE key = ?",
                    (*values, key))
                report.rescheduled += 1
        for key, row in existing.items():
            if key not in wanted and row[7] == "pending":
                await self.db.conn.execute(
                    "UPDATE scheduled_sends SET state = 'cancelled', reason = ? WHERE key = ?",
                    ("removed from the calendar", key))
                report.cancelled += 1
        await self.db.conn.commit()

        async with self.db.conn.execute(
                "SELECT key, due_at FROM scheduled_sends WHERE state = 'pending' ORDER BY due_at"
        ) as cur:
            pending = await cur.fetchall()
        for key, due_text in pending:
            due = datetime.fromisoformat(due_text)
            if due > now:
                report.future.append(wanted[key])
            elif now - due <= self.grace:
                await self.enqueue(key)
                report.enqueued.append(key)
            else:
                await self._skip(key, f"due {due_text} while the bot was not running; more than "
                                      f"{self.settings.schedule_grace_hours:g} h ago (grace period)")
                report.skipped.append(key)
        return report

    async def _skip(self, key: str, reason: str) -> None:
        await self.db.conn.execute(
            "UPDATE scheduled_sends SET state = 'skipped', reason = ? WHERE key = ? AND state = 'pending'",
            (reason, key))
        await self.db.conn.commit()
        log.warning("scheduled send %s skipped: %s", key, reason)

    async def enqueue(self, key: str) -> int | None:
        """Turn a pending scheduled send into a broadcast, at most once."""
        conn = self.db.conn
        await conn.execute("BEGIN IMMEDIATE")
        try:
            async with conn.execute(
                    "SELECT due_at, template, topic, region, language, urgent, state"
                    " FROM scheduled_sends WHERE key = ?", (key,)) as cur:
                row = await cur.fetchone()
            if row is None or row[6] != "pending":
                await conn.rollback()
                return None
            now = self.clock.now()
            broadcast_id: int | None
            try:
                broadcast_id = await create_broadcast(
                    self.db, created_by=f"schedule:{key}", topic=row[2], template=row[1],
                    region=row[3], language=row[4], urgent=bool(row[5]), not_before=now, now=now,
                    schedule_key=key, commit=False)
            except sqlite3.IntegrityError:
                # Already in the outbox (a crash between the two writes): never twice.
                async with conn.execute("SELECT id FROM broadcasts WHERE schedule_key = ?",
                                        (key,)) as cur:
                    found = await cur.fetchone()
                broadcast_id = int(found[0]) if found else None
            await conn.execute(
                "UPDATE scheduled_sends SET state = 'enqueued', broadcast_id = ? WHERE key = ?",
                (broadcast_id, key))
            await conn.commit()
        except BaseException:
            await conn.rollback()
            raise
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
