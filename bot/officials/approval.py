"""The two-person rule (APPROVAL_THRESHOLD): an announcement from Telegram to more recipients
than that waits for a second official with the announcer role; the requester cannot approve
their own. Buttons carry "1:P:<request id>:y|n"."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.callbacks import Callback
from bot.context import SuaraContext
from bot.officials.drafts import Draft
from bot.officials.guard import add_buttons, numbered
from bot.officials.launch import audience_counts, describe_audience, describe_content, launch
from bot.officials.progress import follow
from bot.officials.roles import actor
from bot.replies import acknowledge, edit_or_send
from bot.storage.officials import (
    audit,
    decide,
    get_approval,
    link_broadcast,
    request_approval,
)

log = logging.getLogger(__name__)


async def request(update: Update, context: SuaraContext, draft: Draft, total: int) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    now = services.clock.now()
    approvers = [uid for uid in services.roles.officials()
                 if uid != user.id and services.roles.may(uid, "umumkan")]
    if not approvers:   # nobody could ever approve it: say so now rather than wait forever
        await edit_or_send(query, f"⚠️ {total} penerima melebihi batas {services.settings.approval_threshold}"
                           " dan belum ada petugas kedua (pengumum atau super-admin) yang bisa "
                           "menyetujui. Tambahkan dengan /petugas; tidak ada yang dikirim.")
        return
    request_id = await request_approval(services.db, user.id, draft.record(), total, now)
    audience = describe_audience(draft, services.content, services.regions)
    await audit(services.db, now, actor(user.id), "broadcast.request",
                f"permintaan {request_id}: {describe_content(draft)}", audience, total)
    body = (f"👥 <b>Perlu persetujuan</b> (permintaan {request_id}) dari "
            f"{html.escape(user.full_name)} (id {user.id}):\n"
            f"<b>Sasaran:</b> {html.escape(audience)}\n<b>Penerima:</b> {total}\n"
            f"<b>Isi:</b> {html.escape(describe_content(draft))}")
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton("✅ Setujui", callback_data=Callback("P", f"{request_id}:y").encode()),
        InlineKeyboardButton("✖ Tolak", callback_data=Callback("P", f"{request_id}:n").encode())]])
    reached = 0
    for uid in approvers:
        try:
            if draft.text:
                await context.bot.send_message(uid, draft.text)
            await context.bot.send_message(uid, body, reply_markup=markup)
            reached += 1
        except TelegramError as exc:   # an official who never opened the bot
            log.info("approval request %s not delivered to an official: %s", request_id, exc)
    await edit_or_send(query, f"📨 Permintaan {request_id} ({total} penerima) menunggu "
                       f"persetujuan petugas kedua; dikirim ke {reached} petugas. Anda akan "
                       "diberi tahu hasilnya.")


async def on_decision(update: Update, context: SuaraContext, cb: Callback) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    request_id, verdict = numbered(cb)
    pending = await get_approval(services.db, request_id) if request_id is not None else None
    if pending is None or verdict not in ("y", "n"):
        await acknowledge(query)
        await edit_or_send(query, "Permintaan ini tidak ditemukan.")
        return
    if pending.requested_by == user.id:
        await acknowledge(query, "Permintaan sendiri tidak bisa disetujui sendiri.")
        return
    if pending.state != "pending":
        await acknowledge(query)
        await edit_or_send(query, f"Permintaan {pending.id} sudah diputuskan ({pending.state}).")
        return
    now = services.clock.now()
    draft = Draft.from_record(pending.draft)
    if draft.at is not None and draft.at <= now:
        draft.at = None     # approved after its time: it goes now
    if not await decide(services.db, pending.id, user.id, verdict == "y", now):
        await acknowledge(query)
        await edit_or_send(query, f"Permintaan {pending.id} sudah diputuskan.")
        return
    await acknowledge(query)
    if verdict == "n":
        await audit(services.db, now, actor(user.id), "broadcast.reject",
                    f"permintaan {pending.id} dari tg:{pending.requested_by}")
        await edit_or_send(query, f"✖ Permintaan {pending.id} ditolak.")
        await _tell(context, pending.requested_by,
                    f"✖ Permintaan {pending.id} ditolak oleh petugas kedua; tidak ada yang dikirim.")
        return
    total = sum((await audience_counts(services.db, draft)).values())
    broadcast_id = await launch(services.db, draft, services.content, services.regions,
                                actor(pending.requested_by), total, now,
                                approved_by=actor(user.id))
    await link_broadcast(services.db, pending.id, broadcast_id)
    if services.engine is not None:
        services.engine.poke()
    await edit_or_send(query, f"✅ Permintaan {pending.id} disetujui: pengumuman #{broadcast_id}, "
                       f"{total} penerima.")
    sent = await _tell(context, pending.requested_by,
                       f"📤 Pengumuman #{broadcast_id} disetujui; menunggu…")
    if sent is not None:
        follow(services, context.bot, pending.requested_by, sent, broadcast_id)


async def _tell(context: SuaraContext, user_id: int, text: str) -> int | None:
    try:
        message = await context.bot.send_message(user_id, text)
    except TelegramError:
        return None
    return message.message_id


def register(app: Application) -> None:
    add_buttons(app, "P", "umumkan", on_decision)
