"""One broadcast's send loop: its pending recipients read in batches of BATCH as targeting fixes
them (targeting.py), each read with the local day's counts (a run that passes midnight reads the
rest again), checked against the daily cap, composed (cached per language, village and day),
spaced per chat and paced (limiter.py), then sent in a slot of its own (inflight.py,
attempts.py). Before the first send, and every CONTROL_INTERVAL after, it asks whether to stop:
a pause or cancel, quiet hours, urgent work, shutdown."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot.broadcasts.attempts import Messenger
from bot.broadcasts.inflight import InFlight
from bot.broadcasts.outcomes import Outcomes
from bot.broadcasts.quiet import in_quiet
from bot.broadcasts.targeting import Targeting
from bot.storage.broadcasts import Broadcast, Outcome, get_broadcast, next_runnable, pending_batch

if TYPE_CHECKING:
    from bot.broadcasts.engine import DeliveryEngine

BATCH = 500
CONTROL_INTERVAL = 0.5   # seconds between checks for pause/cancel/quiet hours/urgent work


@dataclass
class Run:
    """One broadcast being sent: who is fixed, what is in flight, what became of them."""
    broadcast: Broadcast
    targeting: Targeting
    outcomes: Outcomes
    inflight: InFlight
    messenger: Messenger


async def send_all(engine: DeliveryEngine, run: Run) -> str | None:
    """Send to every pending recipient; the reason it stopped early, if it did. Each message
    counts toward the cap of the local day it is sent on and a template reads that day (a
    countdown's days left): a run that passes midnight reads the rest again."""
    broadcast = run.broadcast
    # DAILY_CAP=0 means no cap; urgent announcements are never capped.
    cap = None if broadcast.urgent else (engine.settings.daily_cap or None)
    texts: dict[tuple[str, str | None, str], str] = {}
    # The first check before the first send: a pause or cancel while the recipients were
    # being fixed must stop it before anything goes out, not CONTROL_INTERVAL later.
    next_control = 0.0
    cursor = 0
    while True:
        seen, fixed = run.targeting.chunks, run.targeting.finished
        day = engine.day()       # the batch's counts are this day's
        batch = await pending_batch(engine.db, broadcast.id, cursor, BATCH, day)
        if not batch:
            if fixed:
                return None
            if run.targeting.stopped:
                return "stopped"    # paused or cancelled: the next claim goes on from here
            await run.targeting.wait(seen, CONTROL_INTERVAL)   # the next chunk
            if time.monotonic() >= next_control:
                next_control = time.monotonic() + CONTROL_INTERVAL
                stop_reason = await control(engine, broadcast)
                if stop_reason:
                    return stop_reason
            continue
        for recipient in batch:
            if time.monotonic() >= next_control:
                next_control = time.monotonic() + CONTROL_INTERVAL
                stop_reason = await control(engine, broadcast)
                if stop_reason:
                    return stop_reason
            if engine.day() != day:
                break           # midnight: the rest read again with the new day's counts
            cursor = recipient.user_id
            if cap is not None and recipient.sent_today >= cap:
                run.outcomes.add(Outcome(recipient.user_id, "capped",
                                         f"daily cap of {cap} reached", recipient.attempts))
                continue
            key = (recipient.language, recipient.region, day)
            if key not in texts:
                texts[key] = engine.composer.text(broadcast, recipient, date.fromisoformat(day))
            payload = engine.composer.payload(recipient, texts[key])
            if not await run.inflight.slot():
                return None     # shutting down while every slot hangs: settle decides
            if not engine.lease():
                run.inflight.semaphore.release()
                return "lease"  # no longer sure to lead: nothing more until it is
            await engine.spacing.wait(recipient.user_id)
            await engine.bucket.acquire()    # a place, released by the send (attempts.request)
            run.inflight.start(run.messenger.send(broadcast.id, recipient, payload, day,
                                                  run.outcomes.add), recipient)


async def control(engine: DeliveryEngine, broadcast: Broadcast) -> str | None:
    """Why to stop now: paused/cancelled by an official, quiet hours, urgent work, shutdown."""
    if engine.stopping:
        return "shutdown"
    current = await get_broadcast(engine.db, broadcast.id)
    if current is None or current.state not in ("scheduled", "sending"):
        return current.state if current else "gone"
    window = engine.settings.quiet_window
    if not broadcast.urgent and window and in_quiet(engine.local(), window):
        return "quiet"
    if not broadcast.urgent:
        other = await next_runnable(engine.db, engine.clock.now())
        if other is not None and other.urgent and other.id != broadcast.id:
            return "urgent"
    return None
