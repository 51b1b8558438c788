"""One progress message per announcement in the official's chat, edited in place at most every
PROGRESS_SECONDS while it goes out, ending with the final report."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from html import escape

from telegram import Bot
from telegram.error import TelegramError

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


def follow(services: Services, bot: Bot, chat_id: int, message_id: int,
           broadcast_id: int) -> None:
    """Keep the progress message current in the background until the broadcast ends."""
    task = asyncio.create_task(_follow(services, bot, chat_id, message_id, broadcast_id),
                               name=f"progress-{broadcast_id}")
    services.background.add(task)
    task.add_done_callback(services.background.discard)


async def _follow(services: Services, bot: Bot, chat_id: int, message_id: int,
                  broadcast_id: int) -> None:
    last = ""
    while True:
        try:
            text, ended, wait = await progress_text(services, broadcast_id, services.clock.now())
        except Exception as exc:    # the database busy: try again at the next tick
            log.warning("progress of broadcast %s unavailable: %s", broadcast_id,
                        type(exc).__name__)
            text, ended, wait = last, False, PROGRESS_SECONDS
        if text and text != last:
            with contextlib.suppress(TelegramError):
                await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
            last = text
        if ended:
            return
        await asyncio.sleep(wait)
