"""The delivery engine: the only code that sends broadcast messages.

It claims runnable broadcasts from the outbox (urgent first), fixes their recipients once,
streams them from SQLite in batches, sends through one token bucket with per-chat spacing on its
own HTTP session, and commits outcomes in small batches. A crash loses nothing: recipients
without a committed outcome are sent on restart. The price is a bounded duplicate window: the
messages in flight plus those sent in the last flush interval (at most about
`concurrency + rate * FLUSH_INTERVAL` messages); a graceful stop flushes, so it duplicates none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.broadcasts.limiter import ChatSpacing, TokenBucket
from bot.broadcasts.quiet import in_quiet, quiet_end
from bot.broadcasts.sender import Sender, SendResult
from bot.clock import Clock
from bot.content.registry import Content, render_broadcast
from bot.keyboards import Callback
from bot.regions.directory import TpsDirectory
from bot.regions.handlers import map_url
from bot.settings import Settings
from bot.storage import Database, open_database
from bot.storage.broadcasts import (
    Broadcast,
    Outcome,
    Recipient,
    defer,
    get_broadcast,
    next_runnable,
    pending_batch,
    record_outcomes,
    set_state,
    start_sending,
)

log = logging.getLogger(__name__)

BATCH = 500
FLUSH_INTERVAL = 0.1     # seconds between outcome commits
CONTROL_INTERVAL = 0.5   # seconds between checks for pause/cancel/quiet hours/urgent work
POLL_INTERVAL = 0.2      # seconds between looks for new work when idle (one indexed read)
MAX_ATTEMPTS = 4         # for 5xx, timeouts and network errors
BACKOFF = 0.5            # first retry after this many seconds, doubling
UNSUBSCRIBE = Callback("u").encode()


def concurrency_for(rate: float) -> int:
    """Messages in flight at once: enough for Telegram's latency at this rate, and the size of
    the sender's connection pool (more would queue and leave in bursts)."""
    return max(16, min(256, int(rate * 0.25)))


@dataclass
class _Run:
    broadcast: Broadcast
    outcomes: list[Outcome] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    sent: int = 0
    finished: asyncio.Event = field(default_factory=asyncio.Event)


class DeliveryEngine:
    def __init__(self, settings: Settings, content: Content, clock: Clock, sender: Sender,
                 database_path: str | None = None, concurrency: int | None = None) -> None:
        self.settings, self.content, self.clock, self.sender = settings, content, clock, sender
        self.database_path = str(database_path or settings.database_path)
        self.bucket = TokenBucket(settings.broadcast_rate)
        self.spacing = ChatSpacing(1.0)
        self.concurrency = concurrency or concurrency_for(settings.broadcast_rate)
        self.tz = ZoneInfo(content.election.timezone)
        self.tps = TpsDirectory()
        self._db: Database | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._unsubscribe_label = {lang: content.message("btn_unsubscribe", lang) for lang in ("id", "en")}

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        self._db = await open_database(self.database_path)
        await self.sender.start()
        self._task = asyncio.create_task(self._loop(), name="delivery-engine")

    async def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=15)
        await self.sender.close()
        if self._db is not None:
            await self._db.close()
            self._db = None

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
            try:
                broadcast = await next_runnable(self.db, self.clock.now())
                if broadcast is None:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), POLL_INTERVAL)
                    continue
                await self._deliver(broadcast)
            except Exception:
                log.exception("delivery engine error; retrying in 1 s")
                await asyncio.sleep(1)

    def _local(self) -> datetime:
        return self.clock.now().astimezone(self.tz)

    async def _deliver(self, broadcast: Broadcast) -> None:
        local = self._local()
        window = self.settings.quiet_window
        if not broadcast.urgent and window and in_quiet(local, window):
            await defer(self.db, broadcast.id, quiet_end(local, window))
            log.info("broadcast %d waits for the end of quiet hours", broadcast.id)
            return
        added = await start_sending(self.db, broadcast, self.clock.now())
        if not broadcast.snapshotted:
            log.info("broadcast %d: %d recipients", broadcast.id, added)
        await self.tps.refresh(self.db)
        run = _Run(broadcast)
        texts: dict[tuple[str, str | None], str] = {}
        day = local.date().isoformat()
        # DAILY_CAP=0 means no cap; urgent announcements are never capped.
        cap = None if broadcast.urgent else (self.settings.daily_cap or None)
        semaphore = asyncio.Semaphore(self.concurrency)
        flusher = asyncio.create_task(self._flusher(run, day))
        next_control = time.monotonic() + CONTROL_INTERVAL
        stop_reason: str | None = None
        try:
            cursor = 0
            while stop_reason is None:
                batch = await pending_batch(self.db, broadcast.id, cursor, BATCH, day)
                if not batch:
                    break
                for recipient in batch:
                    cursor = recipient.user_id
                    if time.monotonic() >= next_control:
                        next_control = time.monotonic() + CONTROL_INTERVAL
                        stop_reason = await self._control(broadcast)
                        if stop_reason:
                            break
                    if cap is not None and recipient.sent_today >= cap:
                        run.outcomes.append(Outcome(recipient.user_id, "capped",
                                                    f"daily cap of {cap} reached", recipient.attempts))
                        continue
                    key = (recipient.language, recipient.region)
                    if key not in texts:
                        texts[key] = self._compose(broadcast, recipient, local)
                    payload = self._payload(recipient, texts[key])
                    await semaphore.acquire()
                    await self.bucket.acquire()
                    await self.spacing.wait(recipient.user_id)
                    task = asyncio.create_task(self._send(run, recipient, payload, semaphore))
                    run.tasks.add(task)
                    task.add_done_callback(run.tasks.discard)
            if run.tasks:
                await asyncio.gather(*run.tasks, return_exceptions=True)
        finally:
            # Never cancel a flush midway: its outcomes would be lost and those sent again.
            run.finished.set()
            await asyncio.shield(flusher)
            await asyncio.shield(self._flush(run, day))
        if stop_reason is None and self._stop.is_set():
            return
        if stop_reason is None:
            remaining = await pending_batch(self.db, broadcast.id, 0, 1, day)
            if not remaining:
                await set_state(self.db, broadcast.id, ("sending",), "done", self.clock.now())
                log.info("broadcast %d done", broadcast.id)
        elif stop_reason == "quiet":
            window = self.settings.quiet_window
            assert window is not None
            await defer(self.db, broadcast.id, quiet_end(self._local(), window))

    async def _control(self, broadcast: Broadcast) -> str | None:
        """Why to stop now: paused/cancelled by an official, quiet hours, urgent work, shutdown."""
        if self._stop.is_set():
            return "shutdown"
        current = await get_broadcast(self.db, broadcast.id)
        if current is None or current.state in ("paused", "cancelled", "done"):
            return current.state if current else "gone"
        window = self.settings.quiet_window
        if not broadcast.urgent and window and in_quiet(self._local(), window):
            return "quiet"
        if not broadcast.urgent:
            other = await next_runnable(self.db, self.clock.now())
            if other is not None and other.urgent and other.id != broadcast.id:
                return "urgent"
        return None

    # -- one message ------------------------------------------------------------------------

    def _compose(self, broadcast: Broadcast, recipient: Recipient, local: datetime) -> str:
        if broadcast.text is not None:
            return broadcast.text
        assert broadcast.template is not None
        lang = recipient.language if recipient.language in ("id", "en") else "id"
        regions = self.content.regions
        region = regions.get(recipient.region or "")
        desa = region if region is not None and region.level == "desa_kelurahan" else None
        stations = self.tps.by_desa.get(desa.code, []) if desa else []
        return render_broadcast(
            self.content, broadcast.template, lang,
            days_left=(self.content.election.voting_day - local.date()).days,
            region_name=desa.name if desa else "",
            kecamatan_name=regions.kecamatan_of(desa).name if desa else "",
            tps=[{"nomor": t.nomor, "alamat": t.alamat, "map_url": map_url(t)} for t in stations[:5]],
            tps_sample=self.tps.is_sample)

    def _payload(self, recipient: Recipient, text: str) -> dict[str, Any]:
        label = self._unsubscribe_label.get(recipient.language, self._unsubscribe_label["id"])
        payload: dict[str, Any] = {
            "chat_id": recipient.user_id, "text": text, "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
            "reply_markup": {"inline_keyboard": [[{"text": label, "callback_data": UNSUBSCRIBE}]]},
        }
        if self.settings.paid_broadcast:
            payload["allow_paid_broadcast"] = True
        return payload

    async def _send(self, run: _Run, recipient: Recipient, payload: dict[str, Any],
                    semaphore: asyncio.Semaphore) -> None:
        attempts = recipient.attempts
        try:
            while True:
                attempts += 1
                result: SendResult = await self.sender.send(payload)
                if result.ok:
                    run.outcomes.append(Outcome(recipient.user_id, "sent", None, attempts))
                    run.sent += 1
                    return
                if result.retry_after is not None:
                    # Honoured exactly, by the whole engine; a 429 is not the recipient's fault.
                    attempts -= 1
                    self.bucket.pause(result.retry_after)
                    await self.bucket.acquire()
                    continue
                if result.blocked:
                    run.outcomes.append(Outcome(recipient.user_id, "blocked", result.detail, attempts))
                    return
                if result.permanent or attempts >= MAX_ATTEMPTS:
                    run.outcomes.append(Outcome(recipient.user_id, "failed", result.detail, attempts))
                    return
                await asyncio.sleep(BACKOFF * 2 ** (attempts - 1))
                await self.bucket.acquire()
        finally:
            semaphore.release()

    # -- outcomes ---------------------------------------------------------------------------

    async def _flusher(self, run: _Run, day: str) -> None:
        while not run.finished.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(run.finished.wait(), FLUSH_INTERVAL)
            await self._flush(run, day)

    async def _flush(self, run: _Run, day: str) -> None:
        if not run.outcomes:
            return
        batch, run.outcomes = run.outcomes, []
        await record_outcomes(self.db, run.broadcast.id, batch, self.clock.now(), day,
                              counts_toward_cap=not run.broadcast.urgent)
