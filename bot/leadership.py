"""One leader among the bot's processes: it alone runs the delivery engine, the scheduler and
the retention job, and registers the webhook.

SQLite (one process): this process leads from the start until it stops, as before there were
several. PostgreSQL: every process campaigns (storage/leader.py): the one holding the leader
lock starts the leader services with the epoch it won and heartbeats every HEARTBEAT seconds;
the others try again as often. When a heartbeat fails or finds another epoch, or the engine is
fenced (a claim or commit refused), the leader stops its services and its session, and
campaigns again as a follower. While a heartbeat is overdue, `may_act()` is false and the
engine sends nothing (the lease); the server ends a silent leader's session soon after, so
another takes over (storage/leader.py has the timings)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.storage.leader import HEARTBEAT, LEASE, PgSession, SoleSession, Term, leader_session
from bot.tasks import cancel_and_wait

if TYPE_CHECKING:
    from bot.broadcasts.engine import DeliveryEngine
    from bot.services import Scheduled

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]
Job = Callable[[], Coroutine[Any, Any, None]]


class Leadership:
    def __init__(self, target: str, clock: Clock, engine: DeliveryEngine | None = None,
                 scheduler: Scheduled | None = None, retention: Job | None = None,
                 session: SoleSession | PgSession | None = None) -> None:
        self.session = session or leader_session(target)
        self.clock = clock
        self.engine, self.scheduler, self.retention = engine, scheduler, retention
        self.on_elected: list[Hook] = []     # e.g. setWebhook (web.run_webhook)
        self.role = "follower"
        self.epoch: int | None = None
        self.terms = 0                       # leaderships won by this process
        self._valid_until = 0.0
        self._lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._retention_task: asyncio.Task[None] | None = None
        if engine is not None:
            engine.lease = self.may_act
            engine.on_fenced = self._lost.set

    # -- what the others ask ------------------------------------------------------------

    @property
    def leading(self) -> bool:
        return self.role == "leader"

    def may_act(self) -> bool:
        """Lead, and sure of it: a heartbeat answered within LEASE (always, on SQLite)."""
        if not self.leading:
            return False
        return not self.session.shared or time.monotonic() < self._valid_until

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """SQLite: lead now (the services start before this returns). PostgreSQL: campaign
        in the background."""
        if not self.session.shared:
            term = await self.session.try_lead(self.clock.now())
            assert term is not None
            self._begin(term, time.monotonic())
            await self._start_services(term)
            return
        self._task = asyncio.create_task(self._campaign(), name="leadership")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)
        await self._step_down("stopping")
        await self.session.close()

    # -- the campaign (PostgreSQL) -------------------------------------------------------

    async def _campaign(self) -> None:
        while True:
            try:
                await self.session.open()
                while True:
                    asked = time.monotonic()
                    term = await self.session.try_lead(self.clock.now())
                    if term is not None:
                        break
                    await asyncio.sleep(HEARTBEAT)
                self._begin(term, asked)
                # The heartbeat goes on while the services start (a slow setWebhook must not
                # leave the session silent long enough for the server to end it).
                starting = asyncio.create_task(self._start_or_give_up(term))
                try:
                    await self._hold(term)
                finally:
                    if not starting.done():
                        starting.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await starting
            except asyncio.CancelledError:
                raise
            except Exception as exc:   # the database unreachable, a timeout: campaign again
                log.warning("leadership: %s: %s", type(exc).__name__, exc)
            await self._step_down("lost the lead" if self.leading else "campaigning again")
            await self.session.close()
            await asyncio.sleep(HEARTBEAT)

    async def _hold(self, term: Term) -> None:
        """Heartbeat until the lead is lost (a heartbeat refused or failed, or fenced)."""
        while not self._lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), HEARTBEAT)
            if self._lost.is_set():
                log.warning("leadership: epoch %s given up", term.epoch)
                return
            sent = time.monotonic()
            if not await self.session.confirm(term.epoch):
                log.warning("leadership: epoch %s is over", term.epoch)
                return
            self._valid_until = sent + LEASE

    # -- starting and stopping the leader services ---------------------------------------

    def _begin(self, term: Term, asked: float) -> None:
        """Leading from now; sure of it until LEASE after the request that won was sent."""
        self.role, self.epoch = "leader", term.epoch
        self.terms += 1
        self._lost.clear()
        self._valid_until = asked + LEASE
        log.info("leading%s", "" if term.epoch is None else f" (epoch {term.epoch})")

    async def _start_or_give_up(self, term: Term) -> None:
        try:
            await self._start_services(term)
        except Exception:
            log.exception("leadership: the leader services did not start; giving up the lead")
            self._lost.set()

    async def _start_services(self, term: Term) -> None:
        if self.engine is not None:
            await self.engine.start(term.epoch)
        if self.scheduler is not None:
            await self.scheduler.start(term.epoch)
        if self.retention is not None:
            self._retention_task = asyncio.create_task(self.retention(), name="retention")
        for hook in self.on_elected:
            await hook()

    async def _step_down(self, why: str) -> None:
        if not self.leading:
            return
        if self.session.shared:
            log.log(logging.INFO if why == "stopping" else logging.WARNING,
                    "leadership: epoch %s ends (%s)", self.epoch, why)
        # a follower holds no epoch (/healthz showed the lost one beside the leader's newer)
        self.role, self.epoch, self._valid_until = "follower", None, 0.0
        task, self._retention_task = self._retention_task, None
        await cancel_and_wait(task)
        # Both stop whatever state they are in (an engine fenced has left its loop already).
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.engine is not None:
            await self.engine.stop()
