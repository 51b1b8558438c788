"""One progress message per announcement in the official's chat, edited in place at most every
PROGRESS_SECONDS while it goes out, ending with the final report. The messages are recorded in
the database with the official's session; the leader process keeps them all current."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime, timedelta
from html import escape

from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import SuaraApplication, SuaraContext
from bot.officials.closing import sweep
from bot.officials.drafts import Drafts
from bot.services import Services
from bot.storage.broadcasts import (
    FINAL_STATES,
    get_broadcast,
    iso,
    progress,
)

log = logging.getLogger(__name__)
PROGRESS_SECONDS = 5.0
WAITING_SECONDS = 30.0          # while it is only scheduled, look less often
STATE_NAMES = {"scheduled": "terjadwal", "sending": "sedang dikirim", "paused": "dijeda",
               "held": "ditahan, menunggu persetujuan",
               "done": "selesai", "cancelled": "dibatalkan", "failed": "gagal"}


async def progress_text(services: Services, broadcast_id: int, now: datetime
                        ) -> tuple[str, bool, float]:
    """The report's text, whether the broadcast has ended, and when to look again."""
    db = services.db
    b = await get_broadcast(db, broadcast_id)
    if b is None:
        return f"Pengumuman #{broadcast_id} tidak ditemukan.", True, 0.0
    p = await progress(db, broadcast_id, now)
    counts = p.counts
    eta = f"{p.eta_seconds:.0f} detik" if p.eta_seconds is not None else "-"
    ended = b.state in FINAL_STATES
    head = "📊 <b>Laporan akhir</b>" if ended else "📤 <b>Pengiriman</b>"
    lines = [f"{head} pengumuman #{broadcast_id}: {STATE_NAMES.get(b.state, b.state)}"]
    if b.state == "scheduled" and not b.snapshotted:
        lines.append(f"Mulai: {b.not_before[:16].replace('T', ' ')} UTC")
    else:
        lines += [f"Penerima: {p.total}",
                  f"✅ terkirim {counts.get('sent', 0)} · 🚫 memblokir bot {counts.get('blocked', 0)}"
                  f" · ❌ gagal {counts.get('failed', 0) + counts.get('rate_limited', 0)}"
                  f" · ❔ tidak pasti {counts.get('unknown', 0)}"
                  f" · ⏸ batas harian {counts.get('capped', 0)}"]
        if not ended:
            lines.append(f"Sisa {p.pending} · laju {p.rate:.1f}/detik · perkiraan selesai {eta}")
    if b.state == "failed" and b.error:
        lines.append(f"Alasan: {escape(b.error)}")
    # Due later than a minute from now, or waiting for a second official: nothing to report
    # until then, so look less often.
    later = b.state == "held" or (b.state == "scheduled"
                                  and b.not_before > iso(now + timedelta(minutes=1)))
    return "\n".join(lines), ended, WAITING_SECONDS if later else PROGRESS_SECONDS


async def follow(context: SuaraContext, official: int, chat_id: int, message_id: int,
                 broadcast_id: int) -> None:
    """Keep this progress message current until the broadcast ends: recorded with the
    official's session (storage/sessions.py), so the leader keeps it, whichever process
    handled the confirmation, and after a restart."""
    keeper = keeper_of(context.application)
    await keeper.drafts.change_progress(
        context.services.db, official, context.services.clock.now(),
        add={"broadcast": broadcast_id, "chat": chat_id, "message": message_id})
    keeper.poke()     # here, if this process leads; the others hear of it (bot/sharing.py)


def keeper_of(app: Application) -> ProgressKeeper:
    keeper = app.bot_data["progress"]
    assert isinstance(keeper, ProgressKeeper)
    return keeper


class ProgressKeeper:
    """The leader's loop over every recorded progress message: each edited when due (every
    PROGRESS_SECONDS while sending, WAITING_SECONDS while waiting), and forgotten after its
    final report. Started when this process leads; it stops when the lead is lost."""

    def __init__(self, app: SuaraApplication, drafts: Drafts) -> None:
        self.app, self.drafts = app, drafts
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last: dict[int, str] = {}        # broadcast id -> the text last shown
        self._due: dict[int, float] = {}       # broadcast id -> when to look again

    def poke(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="progress")
            self.app.services.background.add(self._task)
            self._task.add_done_callback(self.app.services.background.discard)

    async def _run(self) -> None:
        leadership = self.app.services.leadership
        while leadership is None or leadership.leading:
            try:
                wait = await self.tick()
            except Exception as exc:    # the database busy: try again at the next tick
                log.warning("progress messages unavailable: %s", type(exc).__name__)
                wait = PROGRESS_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()

    async def tick(self) -> float:
        """Edit the progress messages that are due; how long until one is due again."""
        services = self.app.services
        wait = WAITING_SECONDS
        await sweep(self.app.bot, services)     # settled requests' messages left to close
        for session in await self.drafts.following(services.db):
            ended: set[int] = set()
            for entry in session.progress:
                broadcast = int(entry["broadcast"])
                if time.monotonic() < self._due.get(broadcast, 0.0):
                    wait = min(wait, self._due[broadcast] - time.monotonic())
                    continue
                text, over, again = await progress_text(services, broadcast,
                                                        services.clock.now())
                if text != self._last.get(broadcast):
                    with contextlib.suppress(TelegramError):
                        await self.app.bot.edit_message_text(
                            text, chat_id=entry["chat"], message_id=entry["message"])
                    self._last[broadcast] = text
                if over:
                    ended.add(broadcast)
                    continue
                self._due[broadcast] = time.monotonic() + again
                wait = min(wait, again)
            if ended:
                await self.drafts.change_progress(services.db, session.user_id,
                                                  services.clock.now(), end=frozenset(ended))
                for broadcast in ended:
                    self._last.pop(broadcast, None)
                    self._due.pop(broadcast, None)
        return max(wait, 0.0)


def register(app: Application) -> None:
    """The keeper runs where the leader services run (bot/leadership.py)."""
    assert isinstance(app, SuaraApplication)
    drafts = app.bot_data.get("drafts")
    assert isinstance(drafts, Drafts)
    keeper = app.bot_data["progress"] = ProgressKeeper(app, drafts)
    assert app.services.leadership is not None
    app.services.leadership.on_elected.append(keeper.start)
