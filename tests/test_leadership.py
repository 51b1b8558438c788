"""Several processes on one PostgreSQL: one leader (bot/leadership.py), a fencing epoch, claims.

Contenders here are Leadership objects in one test process, each on its own connection to a
real PostgreSQL (tests/postgres.py), as two bot processes would be; a process dies when its
campaign stops and its connection closes, and hangs when its campaign stops while its
connection stays open (the server ends the silent session: storage/leader.py)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from bot.broadcasts.compose import Composer
from bot.broadcasts.engine import DeliveryEngine
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.leadership import Leadership
from bot.regions.directory import TpsDirectory
from bot.regions.loader import load_regions
from bot.settings import load_settings
from bot.storage import Database, open_database
from bot.storage.broadcasts import (
    Outcome,
    create_broadcast,
    get_broadcast,
    outcome_counts,
    pending_batch,
    record_outcomes,
    start_sending,
)
from bot.storage.db import StaleLeader
from bot.storage.leader import HEARTBEAT, IDLE_SESSION, LEADER_LOCK, LEASE, current_epoch
from tests.broadcasts.conftest import NOON_WIB, ScriptedSender, eventually
from tests.conftest import TEST_TOKEN
from tests.fakes.subscribers import bulk_subscribe, query

DAY = NOON_WIB.date().isoformat()


async def dies(lead: Leadership) -> None:
    """As kill -9: the campaign stops where it is, the connection closes (the lock goes)."""
    await hangs(lead)
    await lead.session.close()


async def hangs(lead: Leadership) -> None:
    """As SIGSTOP: no more heartbeats; the connection stays open, silent."""
    assert lead._task is not None
    lead._task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await lead._task
    lead._task = None


async def test_one_of_two_contenders_leads_and_the_other_takes_over(pg_url: str) -> None:
    await (await open_database(pg_url)).close()       # migrated
    clock = FixedClock(NOON_WIB)
    first, second = Leadership(pg_url, clock), Leadership(pg_url, clock)
    try:
        await first.start()
        await eventually(lambda: _true(first.leading), what="a first leader")
        await second.start()
        await asyncio.sleep(HEARTBEAT * 2.5)             # it tried, twice at least
        assert (first.role, second.role) == ("leader", "follower")
        assert first.epoch == 1 == await current_epoch(pg_url)
        assert first.may_act() and not second.may_act()
        began = time.monotonic()
        await dies(first)
        await eventually(lambda: _true(second.leading), within=10, what="a takeover")
        assert time.monotonic() - began < 2 * HEARTBEAT + 1
        assert second.epoch == 2 == await current_epoch(pg_url) and second.may_act()
        await asyncio.sleep(LEASE)
        assert not first.may_act()      # it never heard from the server again
    finally:
        await first.stop()
        await second.stop()


async def test_a_leader_whose_session_ends_steps_down_and_holds_no_epoch(pg_url: str) -> None:
    """Its lock connection ended by the server (as idle_session_timeout does): it steps down,
    another leads, and it says follower with no epoch (/healthz), not the one it lost."""
    await (await open_database(pg_url)).close()
    clock = FixedClock(NOON_WIB)
    first, second = Leadership(pg_url, clock), Leadership(pg_url, clock)
    try:
        await first.start()
        await eventually(lambda: _true(first.leading), what="a first leader")
        await second.start()
        await query(pg_url, "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE"
                            " locktype = 'advisory' AND granted AND objid = ?",
                    (LEADER_LOCK & 0xFFFFFFFF,))
        await eventually(lambda: _true(second.leading), within=10, what="a takeover")
        await eventually(lambda: _true(not first.leading), within=5, what="a step-down")
        assert (first.role, first.epoch) == ("follower", None)
        assert (second.role, second.epoch) == ("leader", 2)
    finally:
        await first.stop()
        await second.stop()


async def test_a_hung_leader_is_replaced_once_the_server_ends_its_silent_session(
        pg_url: str) -> None:
    await (await open_database(pg_url)).close()
    clock = FixedClock(NOON_WIB)
    first, second = Leadership(pg_url, clock), Leadership(pg_url, clock)
    try:
        await first.start()
        await eventually(lambda: _true(first.leading), what="a first leader")
        await second.start()
        began = time.monotonic()
        await hangs(first)
        await eventually(lambda: _true(not first.may_act()), within=LEASE + 1, what="lease over")
        lapsed = time.monotonic() - began
        assert not second.leading      # the lease ends before the server lets the lock go
        await eventually(lambda: _true(second.leading), within=10, what="a takeover")
        took = time.monotonic() - began
        assert lapsed <= LEASE + 0.5 and IDLE_SESSION - 1 < took < 10, (lapsed, took)
        assert second.epoch == 2
    finally:
        await first.stop()
        await second.stop()


async def test_a_stale_leader_claims_and_commits_nothing(pg_url: str) -> None:
    ids = list(range(500_000, 500_030))
    await bulk_subscribe(pg_url, ids)
    clock = FixedClock(NOON_WIB)
    setup = await open_database(pg_url)
    first, second = Leadership(pg_url, clock), Leadership(pg_url, clock)
    stale = await open_database(pg_url)
    fresh = await open_database(pg_url)
    try:
        bid = await create_broadcast(setup, created_by="test", topic="announcements",
                                     text="Halo", not_before=clock.now(), now=clock.now())
        await first.start()
        await eventually(lambda: _true(first.leading), what="a first leader")
        stale.fence = first.epoch
        broadcast = await get_broadcast(setup, bid)
        assert broadcast is not None
        assert (await start_sending(stale, broadcast, clock.now())).recipients == 30
        claimed = await pending_batch(stale, bid, 0, 10, DAY)
        assert [r.user_id for r in claimed] == ids[:10]
        await dies(first)
        await second.start()
        await eventually(lambda: _true(second.leading), within=10, what="a takeover")
        fresh.fence = second.epoch
        before = await query(pg_url, "SELECT user_id, outcome, claimed_epoch FROM deliveries"
                                     " ORDER BY user_id")
        with pytest.raises(StaleLeader):
            await pending_batch(stale, bid, ids[9], 10, DAY)       # a claim: refused
        with pytest.raises(StaleLeader):                          # a commit: refused
            await record_outcomes(stale, bid, [Outcome(i, "sent", None, 1) for i in ids[:10]],
                                  clock.now(), DAY, counts_toward_cap=True)
        assert await query(pg_url, "SELECT user_id, outcome, claimed_epoch FROM deliveries"
                                   " ORDER BY user_id") == before
        assert await query(pg_url, "SELECT COUNT(*) FROM daily_counts") == [(0,)]
        # The new leader claims every recipient without an outcome, the old one's too.
        again = await pending_batch(fresh, bid, 0, 100, DAY)
        assert [r.user_id for r in again] == ids
        await record_outcomes(fresh, bid, [Outcome(i, "sent", None, 1) for i in ids],
                              clock.now(), DAY, counts_toward_cap=True)
        assert await outcome_counts(setup, bid) == {"sent": 30}
        assert await query(pg_url, "SELECT DISTINCT claimed_epoch FROM deliveries") == [(2,)]
    finally:
        await first.stop()
        await second.stop()
        for db in (setup, stale, fresh):
            await db.close()


async def test_a_hung_leaders_engine_stops_sending_and_the_next_finishes(
        pg_url: str, content: Content) -> None:
    """Two engines, each started by its process's leadership: the first sends until its
    heartbeats stop (hung), then nothing; the second takes over and every recipient gets the
    message once (the hung one's outcomes were committed before the new epoch began)."""
    ids = list(range(600_000, 600_150))
    await bulk_subscribe(pg_url, ids)
    clock = FixedClock(NOON_WIB)
    settings = load_settings(BOT_TOKEN=TEST_TOKEN, DATABASE_URL=pg_url, BROADCAST_RATE="30",
                             QUIET_HOURS="")
    senders = [ScriptedSender(), ScriptedSender()]
    engines = [DeliveryEngine(settings, Composer(content, load_regions(content), TpsDirectory(),
                                                 False), clock, sender, "Asia/Jakarta")
               for sender in senders]
    first, second = (Leadership(pg_url, clock, engine) for engine in engines)
    db = await open_database(pg_url)
    try:
        await first.start()
        await eventually(lambda: _true(first.leading), what="a first leader")
        await second.start()
        bid = await create_broadcast(db, created_by="test", topic="announcements", text="Halo",
                                     not_before=clock.now() - timedelta(seconds=1),
                                     now=clock.now())
        engines[0].poke()
        await eventually(lambda: _true(len(senders[0].times) >= 40), what="sending")
        await hangs(first)
        await eventually(lambda: _true(second.leading), within=10, what="a takeover")
        taken_at = time.monotonic()
        await eventually(lambda: _done(db, bid), within=20, what="the broadcast done")
        assert senders[0].times and senders[1].times
        assert max(senders[0].times) < taken_at     # the hung leader sent nothing after
        delivered = senders[0].delivered + senders[1].delivered
        assert set(delivered) == set(ids)
        assert max(delivered.values()) == 1, delivered.most_common(3)
        assert await outcome_counts(db, bid) == {"sent": len(ids)}
    finally:
        await first.stop()
        await second.stop()
        await db.close()


async def _true(value: bool) -> bool:
    return value


async def _done(db: Database, bid: int) -> bool:
    found = await get_broadcast(db, bid)
    return found is not None and found.state == "done"
