"""A broadcast the delivery engine held under the two-person rule (its audience grew past the
threshold, or past what a second official approved): the other officials are asked, with the
approval buttons that approval.py answers, and the official whose broadcast it is is told;
unless that official has since lost the role or region for its audience (nobody could approve
it): then it is cancelled at once, and only they are told."""

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
from bot.storage.approvals import Note, refuse_unapprovable
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
        if not services.roles.covers(held.requested_by, "umumkan", b.region):
            await _refuse(services, bot, held, b, why)
            return

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


async def _refuse(services: Services, bot: Bot, held: Held, b: Broadcast, why: str) -> None:
    """Its official no longer has the role or region to announce to its audience (taken
    away after it was confirmed): nobody may approve it, so nobody is asked; it is cancelled,
    audited, and its official told."""
    note = Note("bot", "broadcast.reject", f"permintaan {held.approval_id}: #{b.id} dari "
                f"{b.created_by}: pemohon tidak lagi berwenang mengumumkan ke sasaran ini")
    if await refuse_unapprovable(services.db, held.approval_id, services.clock.now(), note):
        await send_to(bot, held.requested_by, f"✖ Pengumuman #{b.id} ditahan (penerimanya "
                      f"kini {held.recipients}, melebihi {why}) lalu dibatalkan: Anda tidak lagi "
                      "berwenang mengumumkan ke sasarannya. Tidak ada yang dikirim.")


def _over(b: Broadcast, held: Held) -> str:
    if b.approved_count is not None and b.approved_count >= held.limit:
        return f"{held.limit} yang disetujui petugas kedua"
    return f"batas {held.limit} penerima tanpa persetujuan (APPROVAL_THRESHOLD)"
