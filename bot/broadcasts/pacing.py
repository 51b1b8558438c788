"""Telegram's limit is per bot: several processes on one PostgreSQL share it (issue 21).

Each process publishes, every PUBLISH seconds (storage/processes.py, one statement), how many
places (limiter.py: a message occupies one from its send until SPAN after its answer) its
replies *reserve*, and reads the others' reservations. It sends a reply only while its replies
occupy fewer places than its cap: the smallest
reservation it published that anyone may still rely on, and its fair share (limit / live
processes). The leader's engine sends only into what all reservations leave (`room`). So, at
any moment, the places of all processes' replies + broadcasts <= limit (and so the arrivals in
any second), with these rules, which assume a round trip under TRANSIT for the messages of
another process (their answers cannot be seen):

- A reservation is never below the places the process's replies occupy. While no
  process's engine wants room for a broadcast, it is the fair share (a burst of questions
  goes at once); while one does, it follows demand (the recent peak + 25% + 2, + the replies
  waiting), up to the fair share, and the broadcast has the rest within about half a second.
- Lowering takes effect at once. A raise takes effect RAISE (= STALE + TRANSIT + SPAN)
  after the publication that raised it ended: whoever read the old value (at most STALE ago, a
  snapshot older than that is not used) has stopped relying on it, and the places it took
  relying on it have freed.
- A process replies only within LEASE of a publication that succeeded (its view of the others
  is that fresh: a newcomer is seen before it may send); a process silent for DEAD (server
  clock) counts as gone, and by then its places have freed. A process that was
  silent that long, or just started, joins under a lock (two joining together see each
  other); if it finds others live, it reserves 0 for RAISE first (they may think it gone).
- The database unreachable for OUTAGE seconds: replies go unpaced (a 429 beats no answer;
  the transport honours it), logged.

SQLite (one process): `RecentSends` (limiter.py) as before: replies unpaced, the engine takes
what they leave. Round trips: 4 a second per process, none per update.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections import deque

from bot.broadcasts.limiter import SPAN, TRANSIT, RecentSends
from bot.storage import Database
from bot.storage.db import DatabaseError
from bot.storage.processes import Peer, join, leave, publish
from bot.tasks import cancel_and_wait

log = logging.getLogger(__name__)

PUBLISH = 0.25              # seconds between publications
STALE = 1.0                 # a snapshot of the others is used this long after it was asked
RAISE = STALE + TRANSIT + SPAN   # a raise binds only this long after its publication ended
LEASE = STALE               # a process replies this long after a publication that succeeded
SLOW = 0.5                  # a publication slower than this did not succeed (for LEASE)
DEAD = LEASE + TRANSIT + SPAN + SLOW + 0.5   # silent this long (server clock): gone
OUTAGE = 2.0                # a reply waits this long with the database out, then goes anyway
FLOOR = 2                   # replies a quiet process reserves while a broadcast runs
PEAK_SECONDS = 3.0          # demand: the most places replies occupied over this long
WANTS_ROOM = 2.0            # an engine that asked for room this recently is broadcasting


class _Promise:
    """A published reservation: binding from its start until RAISE after a later
    publication that succeeded ended (a failed one may have reached the others)."""

    __slots__ = ("reserved", "until")

    def __init__(self, reserved: int) -> None:
        self.reserved = reserved
        self.until = math.inf


class SharedSends(RecentSends):
    """This process's replies, paced to its share of the bot's limit (PostgreSQL)."""

    def __init__(self, limit: int, process_id: str | None = None) -> None:
        super().__init__()
        self.limit = limit
        self.id = process_id or uuid.uuid4().hex
        self.processes = 1                 # live ones, this one included, as last seen
        self.unpaced = 0                   # replies sent unpaced (the database out)
        self._promises: deque[_Promise] = deque()
        self._ok_at = -math.inf            # start of the last publication that succeeded
        self._ok_reserved = 0              # what it published
        self._ok_promise: _Promise | None = None
        self._others = 0                   # the live others' reservations, summed
        self._snapshot_until = -math.inf   # the engine relies on _others until then
        self._peaks: deque[tuple[float, int]] = deque()
        self._waiting = 0
        self._room_asked = -math.inf       # when the engine here last wanted to send
        self._broadcast = False            # some process's engine wants room, as last seen
        self._turns = asyncio.Lock()
        self._db: Database | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    # -- what a reply and the engine ask -----------------------------------------------------

    def fair_share(self) -> int:
        return self.limit // self.processes

    def cap(self, now: float) -> int:
        """How many places this process's replies may occupy now."""
        if now - self._ok_at > LEASE or self._closing:
            return 0
        while self._promises and self._promises[0].until < now:
            self._promises.popleft()
        bound = min((p.reserved for p in self._promises), default=0)
        return min(bound, self.fair_share())

    async def turn(self) -> None:
        """Wait until a reply may go without the bot exceeding its limit; count it."""
        self._waiting += 1
        asked = time.monotonic()
        try:
            async with self._turns:       # in order of asking
                while True:
                    now = time.monotonic()
                    count = self.count(now)
                    if count < self.cap(now):
                        break
                    if now - asked > OUTAGE and now - self._ok_at > LEASE:
                        self.unpaced += 1
                        if self.unpaced == 1 or self.unpaced % 1000 == 0:
                            log.warning("replies unpaced: the database does not answer (%d so "
                                        "far)", self.unpaced)
                        break
                    free = self.places.next_free()
                    wait = free - now if free is not None else PUBLISH   # or an answer
                    await asyncio.sleep(min(max(wait, 0.001), 0.02))
                self.note()
        finally:
            self._waiting -= 1

    def room(self, limit: float, now: float) -> int:
        """What broadcasts may occupy now: the limit less every process's reservation (none
        while the snapshot of the others is too old to rely on)."""
        self._room_asked = now
        if now > self._snapshot_until:
            return 0
        own = self._ok_reserved if now - self._ok_at <= LEASE else 0
        return int(limit) - self._others - max(own, self.count(now))

    # -- publishing --------------------------------------------------------------------------

    def _wanted(self, now: float) -> int:
        count = self.count(now)
        self._peaks.append((now, count))
        while self._peaks and now - self._peaks[0][0] > PEAK_SECONDS:
            self._peaks.popleft()
        wanted = self.fair_share()
        if self._broadcast or self.broadcasting(now):
            peak = max(c for _, c in self._peaks)
            wanted = min(wanted, max(FLOOR, math.ceil(peak * 1.25) + 2 + self._waiting))
        return max(wanted, count)      # never below the places already occupied

    def broadcasting(self, now: float) -> bool:
        return now - self._room_asked < WANTS_ROOM

    async def publish_once(self) -> bool:
        """One publication; whether it succeeded (in time)."""
        assert self._db is not None
        start = time.monotonic()
        promise = _Promise(0 if self._closing else self._wanted(start))
        self._promises.append(promise)
        joining = start - self._ok_at > LEASE
        try:
            peers = await (join if joining else publish)(
                self._db, self.id, promise.reserved, self.broadcasting(start))
        except DatabaseError as exc:
            log.debug("replies' reservation not published (%s)", type(exc).__name__)
            return self._failed(promise)
        end = time.monotonic()
        if end - start > SLOW:
            return self._failed(promise)
        live = [peer for peer in peers if peer.age <= DEAD]
        if end - self._ok_at > DEAD and live:   # new, or silent long enough to seem gone
            self._promises.appendleft(_Promise(0))
        for earlier in self._promises:
            if earlier is not promise and earlier.until == math.inf:
                earlier.until = end + RAISE
        self._ok_at, self._ok_reserved, self._ok_promise = start, promise.reserved, promise
        self._apply(live, start)
        return True

    def _failed(self, promise: _Promise) -> bool:
        """A publication that may or may not have reached the others binds as the others
        do; two such in a row bind as one with the smaller value (the list stays short
        while the database is out)."""
        before = self._promises[-2] if len(self._promises) > 1 else None
        if before is not None and before.until == math.inf and before is not self._ok_promise:
            before.reserved = min(before.reserved, promise.reserved)
            self._promises.pop()
        return False

    def _apply(self, live: list[Peer], asked: float) -> None:
        self.processes = 1 + len(live)
        self._others = sum(peer.reserved for peer in live)
        self._broadcast = any(peer.broadcasting for peer in live)
        self._snapshot_until = asked + STALE

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, db: Database) -> None:
        self._db = db
        self._closing = False
        self._task = asyncio.create_task(self._run(), name="reply-pacing")

    async def _run(self) -> None:
        while True:
            try:
                await self.publish_once()
            except Exception:    # a bug must not end the publications (replies would wait)
                log.exception("replies' reservation: publication failed")
            await asyncio.sleep(PUBLISH)

    async def stop(self) -> None:
        """No more replies; once the last one's place has freed, the reservation goes."""
        task, self._task = self._task, None
        if task is None:
            return
        await cancel_and_wait(task)
        self._closing = True
        waited = 0.0        # replies still in flight: for their answer (TRANSIT at most)
        while self.places.in_flight and waited < TRANSIT:
            await asyncio.sleep(0.01)
            waited += 0.01
        last = self.places.last_free()
        if self.places.in_flight:
            last = time.monotonic() + SPAN
        if last is not None:
            await asyncio.sleep(max(0.0, last - time.monotonic()))
        assert self._db is not None
        with contextlib.suppress(DatabaseError):
            await leave(self._db, self.id)
