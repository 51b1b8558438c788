"""The delivery engine: the only code that sends broadcast messages.

It claims runnable broadcasts from the outbox (urgent first), fixes their recipients once, in
chunks while it sends (targeting.py), and runs the send loop (stream.py): recipients streamed
from the database in batches, paced (limiter.py), each sent on its own HTTP session with its
retries (attempts.py), outcomes committed in small batches (outcomes.py: what a crash or a stop
may duplicate). Composing a message is the Composer's job.

Nothing can hold the engine on one broadcast: a broadcast that cannot be composed ends `failed`
at once; any other error is charged to that broadcast's error budget (it is deferred meanwhile,
so others run) and at ERROR_BUDGET it ends `failed` with the reason.

The two-person rule (APPROVAL_THRESHOLD) is checked here too, when the recipients are fixed:
an official's broadcast from Telegram may reach at most the threshold without a second
official, and an approved one at most as many as were approved (or the threshold, if larger).
Over that, it is held, and `on_hold` tells the officials; a smaller audience, or other people
as many, goes out. The CLI's and the calendar's broadcasts are the operator's: never held.

Duplicates: a request whose outcome is unknown (timeout or disconnect after it was written) is
recorded `unknown` and never resent.

Several processes (PostgreSQL): only the leader runs the engine (bot/leadership.py), started
with its fencing epoch: every claim and outcome commit checks it in its own transaction, and a
refused one (StaleLeader) stops the engine and tells `on_fenced`. Before each send it asks
`lease()`: a leader whose heartbeat is overdue (hung, cut off) sends nothing until it is
answered again; one that lost the lead stops. The next leader sends to every recipient without
a committed outcome: duplicates are at most the sends in flight when the old leader stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.broadcasts.attempts import Messenger
from bot.broadcasts.compose import ComposeError, Composer
from bot.broadcasts.inflight import InFlight
from bot.broadcasts.limiter import SPAN, TRANSIT, ChatSpacing, RecentSends, TokenBucket
from bot.broadcasts.outcomes import FINAL_FLUSH_RETRIES, Outcomes
from bot.broadcasts.quiet import in_quiet, quiet_end
from bot.broadcasts.sender import Sender
from bot.broadcasts.stream import Run, send_all
from bot.broadcasts.targeting import Targeting
from bot.clock import Clock
from bot.settings import Settings
from bot.storage import Database, open_database
from bot.storage.broadcasts import (
    Broadcast,
    Started,
    charge_error,
    defer,
    get_broadcast,
    next_runnable,
    pending_batch,
    set_state,
    start_sending,
)
from bot.storage.db import StaleLeader, iso
from bot.storage.officials import Held
from bot.storage.targeting import CHUNK, claim

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.2      # seconds between looks for new work when idle (one indexed read)
ERROR_BUDGET = 3         # errors a broadcast may cause before it is failed
STOP_TIMEOUT = 8.0       # the whole stop, so that the process exits within 10 s of SIGTERM
TELEGRAM_LIMIT = 30      # messages/s for the whole bot (PAID_BROADCAST: PAID_LIMIT)
PAID_LIMIT = 1000


def concurrency_for(rate: float) -> int:
    """Messages in flight at once: enough for Telegram's latency at this rate, and the size of
    the sender's connection pool (more would queue and leave in bursts)."""
    return max(16, min(256, int(rate * 0.25)))


def _fixed(broadcast: Broadcast) -> Broadcast:
    return dataclasses.replace(broadcast, snapshotted=True)


class DeliveryEngine:
    def __init__(self, settings: Settings, composer: Composer, clock: Clock, sender: Sender,
                 timezone: str, database_path: str | None = None, concurrency: int | None = None,
                 replies: RecentSends | None = None,
                 on_hold: Callable[[Held], None] | None = None) -> None:
        self.settings, self.composer, self.clock, self.sender = settings, composer, clock, sender
        self.database_path = str(database_path or settings.database)
        limit = PAID_LIMIT if settings.paid_broadcast else TELEGRAM_LIMIT
        self.bucket = TokenBucket(settings.broadcast_rate, limit, replies)
        self.spacing = ChatSpacing()
        self.concurrency = concurrency or concurrency_for(settings.broadcast_rate)
        self.chunk = CHUNK       # recipients fixed per transaction (bot/broadcasts/targeting.py)
        self.tz = ZoneInfo(timezone)
        self.stats: Counter[str] = Counter()   # errors and give-ups, for logs and health
        self._db: Database | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        # Seconds between looks for new work when idle; longer where every process's writes
        # of runnable broadcasts wake it (PostgreSQL's change feed: bot/sharing.py).
        self.idle_poll = POLL_INTERVAL
        # Leadership (bot/leadership.py): may this process send now; told when it was fenced.
        self.lease: Callable[[], bool] = lambda: True
        self.on_fenced: Callable[[], None] | None = None
        # Told of each broadcast the two-person rule holds (the officials' side sends the
        # approval request); called on the engine's loop, so it must not block.
        self.on_hold = on_hold

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self, epoch: int | None = None) -> None:
        """Start (again, after a stop): as the leader of `epoch` when there are several."""
        self._stop.clear()
        self._db = await open_database(self.database_path)
        self._db.fence = epoch
        if epoch is not None:
            # Another process may have sent until a moment ago: its last messages still
            # count at Telegram, per bot and per chat (their answers we cannot see).
            self.bucket.hold(SPAN + TRANSIT)
        await self.sender.start()
        self._task = asyncio.create_task(self._loop(), name="delivery-engine")

    async def stop(self, wait: float = STOP_TIMEOUT) -> None:
        """Finish in-flight sends and flush; whatever happens, close what start() opened."""
        self._stop.set()
        self._wake.set()
        try:
            if self._task is not None:
                try:
                    await asyncio.wait_for(self._task, timeout=wait)
                except (TimeoutError, asyncio.CancelledError):
                    log.warning("delivery engine did not stop within %.0f s", wait)
        finally:
            try:
                await self.sender.close()
            finally:
                if self._db is not None:
                    db, self._db = self._db, None
                    await db.close()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def poke(self) -> None:
        """Look for work now rather than at the next poll (a broadcast was just created)."""
        self._wake.set()

    @property
    def db(self) -> Database:
        assert self._db is not None, "engine not started"
        return self._db

    # -- the loop ---------------------------------------------------------------------------

    async def _loop(self) -> None:
        while not self._stop.is_set():
            broadcast: Broadcast | None = None
            try:
                if not self.lease():
                    await self._idle(POLL_INTERVAL)
                    continue
                now = self.clock.now()
                broadcast = await next_runnable(self.db, now, upcoming=True)
                if broadcast is None or broadcast.not_before > iso(now):
                    await self._idle(self._until(broadcast, now))
                    continue
                await self._deliver(broadcast)
            except StaleLeader as exc:
                self.stats["fenced"] += 1
                log.warning("delivery engine stops: %s", exc)
                if self.on_fenced is not None:
                    self.on_fenced()
                return
            except Exception as exc:
                self.stats["engine_errors"] += 1
                if broadcast is None:
                    log.exception("delivery engine error outside a broadcast; again in 1 s")
                    await self._idle(1.0)
                    continue
                await self._charge(broadcast, exc)

    def _until(self, upcoming: Broadcast | None, now: datetime) -> float:
        """How long to wait idle: until the next broadcast is due, or the next look."""
        if upcoming is None:
            return self.idle_poll
        due = (datetime.fromisoformat(upcoming.not_before) - now).total_seconds()
        return min(self.idle_poll, max(0.001, due))

    async def _idle(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _charge(self, broadcast: Broadcast, exc: Exception) -> None:
        """Charge an error to the broadcast: a compose error fails it at once; others use up
        its budget, with the broadcast set aside meanwhile so that the rest go on."""
        reason = f"{type(exc).__name__}: {exc}"[:300]
        budget = 1 if isinstance(exc, ComposeError) else ERROR_BUDGET
        try:
            if await charge_error(self.db, broadcast.id, reason, budget, self.clock.now()):
                self.stats["broadcasts_failed"] += 1
                log.error("broadcast %d failed: %s", broadcast.id, reason)
                return
            current = await get_broadcast(self.db, broadcast.id)
            errors = current.errors if current else 1
            log.warning("broadcast %d error %d/%d (%s); set aside for %d s", broadcast.id, errors,
                        budget, type(exc).__name__, 2 ** errors)
            await defer(self.db, broadcast.id, self.clock.now() + timedelta(seconds=2 ** errors))
        except Exception:
            log.exception("delivery engine could not record an error; again in 1 s")
            await self._idle(1.0)

    def local(self) -> datetime:
        """Now in the election's time zone (quiet hours are local)."""
        return self.clock.now().astimezone(self.tz)

    async def _deliver(self, broadcast: Broadcast) -> None:
        local = self.local()
        window = self.settings.quiet_window
        if not broadcast.urgent and window and in_quiet(local, window):
            await defer(self.db, broadcast.id, quiet_end(local, window))
            log.info("broadcast %d waits for the end of quiet hours", broadcast.id)
            return
        limit = self.approval_limit(broadcast)
        if limit is None:           # recipients fixed while sending, chunk after chunk
            if not await claim(self.db, broadcast, self.clock.now()):
                return              # paused or cancelled meanwhile
            started = Started(0)
        else:                       # the two-person rule counts them all first
            started = await start_sending(self.db, broadcast, self.clock.now(), limit,
                                          self.chunk)
            if started.stopped:     # paused or cancelled while they were fixed
                return
        if started.held is not None:
            held = started.held
            self.stats["held"] += 1
            log.warning("broadcast %d held for a second official: %d recipients, over %d",
                        broadcast.id, held.recipients, held.limit)
            if self.on_hold is not None:
                try:
                    self.on_hold(held)
                except Exception:
                    log.exception("could not tell the officials of held broadcast %d",
                                  broadcast.id)
            return
        await self.composer.tps.refresh(self.db)
        outcomes = Outcomes(self.db, broadcast, self.clock.now, self.day)
        run = Run(broadcast, Targeting(self.db, broadcast if limit is None else _fixed(broadcast),
                                       self.clock.now, self.chunk), outcomes,
                  InFlight(self.concurrency, self._stop, self.stats, outcomes.add),
                  Messenger(self.sender, self.bucket, self.spacing, self.stats,
                            lambda: self.lease()))
        flusher = asyncio.create_task(outcomes.flusher())
        try:
            stop_reason = await send_all(self, run)
        finally:
            # In-flight sends end first; then the last outcomes are written. Never cancel a
            # flush midway: its outcomes would be lost and those sent again.
            await run.targeting.stop()
            await run.inflight.settle(broadcast.id)
            outcomes.finished.set()
            await asyncio.shield(flusher)
            # The last outcomes, patiently (writes refused after a failure wait 5 s).
            await asyncio.shield(outcomes.flush_or_keep(FINAL_FLUSH_RETRIES))
        run.targeting.check()
        if stop_reason is None and (self._stop.is_set() or not run.targeting.finished):
            return
        if stop_reason is None:
            remaining = await pending_batch(self.db, broadcast.id, 0, 1, self.day())
            if not remaining:
                await set_state(self.db, broadcast.id, ("sending",), "done", self.clock.now())
                log.info("broadcast %d done", broadcast.id)
        elif stop_reason == "quiet":
            assert window is not None
            await defer(self.db, broadcast.id, quiet_end(self.local(), window))

    def approval_limit(self, broadcast: Broadcast) -> int | None:
        """How many recipients the two-person rule lets this broadcast reach (None: no limit)."""
        threshold = self.settings.approval_threshold
        if threshold is None or not broadcast.created_by.startswith("tg:"):
            return None
        return max(threshold, broadcast.approved_count or 0)

    def day(self) -> str:
        """Today in the election's time zone: the day a message sent now counts on."""
        return self.local().date().isoformat()
