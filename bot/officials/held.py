"""A broadcast the delivery engine held under the two-person rule (its audience grew past the
threshold, or past what a second official approved): the other officials are asked, with the
approval buttons that approval.py answers, and the official whose broadcast it is is told."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable

from telegram import Bot

from bot.context import SuaraApplication
from bot.officials.approval import approvers, ask, send_to
from bot.officials.launch import describe_audience, describe_content
from bot.officials.roles import shown_actor
from bot.services import Services
from bot.storage.broadcasts import Broadcast, get_broadcast
from bot.storage.officials import Held

log = logging.getLogger(__name__)


def held_notifier(app: SuaraApplication) -> Callable[[Held], None]:
    """For the delivery engine: tell the officials, in the background, of a held broadcast."""
    services = app.services

    def notify(held: Held) -> None:
        task = asyncio.create_task(_announce_hold(services, app.bot, held),
                                   name=f"hold-{held.broadcast_id}")
        services.background.add(task)
        task.add_done_callback(services.background.discard)

    return notify


async def _announce_hold(services: Services, bot: Bot, held: Held) -> None:
    try:
        b = await get_broadcast(services.db, held.broadcast_id)
        if b is None:
            return
        why = _over(b, held)

        def body(to_super: bool) -> str:
            return (f"👥 <b>Perlu persetujuan</b> (permintaan {held.approval_id}): pengumuman "
                    f"#{b.id} dari {html.escape(shown_actor(b.created_by, to_super))} ditahan "
                    f"saat mulai dikirim: penerimanya kini <b>{held.recipients}</b>, melebihi "
                    f"{why}.\n<b>Sasaran:</b> "
                    f"{html.escape(describe_audience(b, services.content, services.regions))}\n"
                    f"<b>Isi:</b> {html.escape(describe_content(b))}\n"
                    "Disetujui: dikirim ke penerima ini (yang berhenti berlangganan sejak itu "
                    "dilewati). Ditolak: dibatalkan.")
        reached = await ask(bot, services, approvers(services, held.requested_by, b.region),
                            held.approval_id, body, b.text)
        if reached:
            next_step = (f"Permintaan {held.approval_id} dikirim ke {reached} petugas; tidak ada "
                         "yang dikirim sebelum disetujui.")
        else:
            next_step = ("Belum ada petugas kedua (pengumum atau super-admin) yang bisa "
                         "menyetujui: tambahkan dengan /petugas, atau batalkan di /jadwal.")
        with_bot = await send_to(bot, held.requested_by,
                               f"⏸ Pengumuman #{b.id} ditahan: penerimanya kini "
                               f"{held.recipients}, melebihi {why}. {next_step}")
        if not with_bot:
            log.info("held broadcast %d: its official could not be told", b.id)
    except Exception:   # a background task: say so rather than lose it silently
        log.exception("could not tell the officials of held broadcast %d", held.broadcast_id)


def _over(b: Broadcast, held: Held) -> str:
    if b.approved_count is not None and b.approved_count >= held.limit:
        return f"{held.limit} yang disetujui petugas kedua"
    return f"batas {held.limit} penerima tanpa persetujuan (APPROVAL_THRESHOLD)"
