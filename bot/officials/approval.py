"""The two-person rule (APPROVAL_THRESHOLD): an announcement from Telegram to more recipients
than that waits for a second official with the announcer role; the requester cannot approve
their own, and the approver's region must cover the whole audience (an announcer of one
kabupaten/kota approves only announcements inside it). Buttons carry "1:P:<request id>:y|n".

The delivery engine counts again when it fixes the recipients: an announcement whose audience
grew past the threshold (or past what a second official approved) is held, and `held_notifier`
(held.py) asks the other officials, with the same buttons; approved here, it goes to the
recipients fixed then, less any who left since.

Approving is refused, and recorded, when the requester has since lost the role or region to
announce to the audience, or when the time it was due passed more than SCHEDULE_GRACE_HOURS
ago (the calendar's rule for sends missed while the bot was down): the time it was scheduled
for, else when it was asked for (to go at once, or held as it started). Its content is likely
stale, and the requester can ask again."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.callbacks import Callback
from bot.context import SuaraContext
from bot.officials.drafts import Draft
from bot.officials.guard import add_buttons, numbered
from bot.officials.launch import audience_counts, describe_audience, describe_content, launch
from bot.officials.progress import follow
from bot.officials.roles import Roles, actor
from bot.replies import acknowledge, edit_or_send
from bot.services import Services
from bot.storage.broadcasts import get_broadcast, set_state
from bot.storage.officials import (
    Approval,
    audit,
    decide,
    get_approval,
    link_broadcast,
    release_held,
    request_approval,
)

log = logging.getLogger(__name__)


def approvers(services: Services, requester: int, region: str | None) -> list[int]:
    """Who may approve an announcement to `region` (None: everyone): announcers and super-
    admins whose region covers it, never the requester."""
    return [uid for uid in services.roles.officials()
            if uid != requester and services.roles.covers(uid, "umumkan", region)]


OUTSIDE = "Di luar wilayah Anda: yang memutuskan petugas yang wilayahnya mencakup seluruh sasaran."


def decision_buttons(request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("✅ Setujui", callback_data=Callback("P", f"{request_id}:y").encode()),
        InlineKeyboardButton("✖ Tolak", callback_data=Callback("P", f"{request_id}:n").encode())]])


async def ask(bot: Bot, roles: Roles, officials: list[int], request_id: int,
              body: Callable[[bool], str], text: str | None) -> int:
    """Send the request (after the announcement's own text, if it has one) to each official;
    how many it reached. `body(to_super)`: the request as that official may read it (whose
    Telegram id asks only for super-admins)."""
    reached = 0
    for uid in officials:
        try:
            if text:
                await bot.send_message(uid, text)
            await bot.send_message(uid, body(roles.is_super(uid)),
                                   reply_markup=decision_buttons(request_id))
            reached += 1
        except TelegramError as exc:   # an official who never opened the bot
            log.info("approval request %s not delivered to an official: %s", request_id, exc)
    return reached


async def request(update: Update, context: SuaraContext, draft: Draft, total: int) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    now = services.clock.now()
    # Nobody could ever approve it: say so now rather than wait forever.
    if not approvers(services, user.id, draft.region):
        await edit_or_send(query, f"⚠️ {total} penerima melebihi batas {services.settings.approval_threshold}"
                           " dan belum ada petugas kedua (pengumum atau super-admin, dengan wilayah yang "
                           "mencakup sasaran) yang bisa "
                           "menyetujui. Tambahkan dengan /petugas; tidak ada yang dikirim.")
        return
    request_id = await request_approval(services.db, user.id, draft.record(), total, now)
    audience = describe_audience(draft, services.content, services.regions)
    when = (draft.at.astimezone(services.settings.tz).strftime("%Y-%m-%d %H:%M %Z")
            if draft.at else "segera setelah disetujui")
    await audit(services.db, now, actor(user.id), "broadcast.request",
                f"permintaan {request_id}: {describe_content(draft)}", audience, total)

    def body(to_super: bool) -> str:
        return (f"👥 <b>Perlu persetujuan</b> (permintaan {request_id}) dari "
                f"{html.escape(user.full_name)}{f' (id {user.id})' if to_super else ''}:\n"
                f"<b>Sasaran:</b> {html.escape(audience)}\n<b>Penerima:</b> {total}\n"
                f"<b>Waktu:</b> {when}\n<b>Isi:</b> {html.escape(describe_content(draft))}")
    reached = await ask(context.bot, services.roles, approvers(services, user.id, draft.region),
                        request_id, body, draft.text)
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
    if pending.state == "cancelled":    # its broadcast was cancelled while it waited
        await acknowledge(query)
        await edit_or_send(query, f"Permintaan {pending.id} dibatalkan: pengumuman "
                           f"#{pending.broadcast_id} dibatalkan sebelum diputuskan; tidak ada "
                           "yang perlu disetujui.")
        return
    if pending.state != "pending":
        await acknowledge(query)
        await edit_or_send(query, f"Permintaan {pending.id} sudah diputuskan ({pending.state}).")
        return
    now = services.clock.now()
    if pending.held is not None:
        await _decide_held(update, context, pending, verdict == "y")
        return
    draft = Draft.from_record(pending.draft)
    if not services.roles.covers(user.id, "umumkan", draft.region):
        await acknowledge(query, OUTSIDE)
        return
    why = _why_not(services, pending, draft.region, draft.at) if verdict == "y" else None
    if why is not None:
        await _refuse(update, context, pending, why)
        return
    if draft.at is not None and draft.at <= now:
        draft.at = None     # approved after its time (within the grace): it goes now
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
    # What the second official saw is what they approve: a larger audience when the engine
    # fixes the recipients is held again.
    total = sum((await audience_counts(services.db, draft)).values())
    broadcast_id = await launch(services.db, draft, services.content, services.regions,
                                actor(pending.requested_by), total, now,
                                approved_by=actor(user.id), approved_count=pending.recipients)
    await link_broadcast(services.db, pending.id, broadcast_id)
    await audit(services.db, now, actor(user.id), "broadcast.approve",
                f"permintaan {pending.id}: #{broadcast_id} dari tg:{pending.requested_by}",
                describe_audience(draft, services.content, services.regions), total)
    if services.engine is not None:
        services.engine.poke()
    await edit_or_send(query, f"✅ Permintaan {pending.id} disetujui: pengumuman #{broadcast_id}, "
                       f"paling banyak {pending.recipients} penerima.")
    sent = await _tell(context, pending.requested_by,
                       f"📤 Pengumuman #{broadcast_id} disetujui; menunggu…")
    if sent is not None:
        await follow(context, pending.requested_by, pending.requested_by, sent, broadcast_id)


async def _decide_held(update: Update, context: SuaraContext, pending: Approval,
                       approve: bool) -> None:
    """A second official's answer about a broadcast the engine held."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and pending.held is not None
    services = context.services
    now = services.clock.now()
    b = await get_broadcast(services.db, pending.held)
    if b is None or b.state != "held":
        await acknowledge(query)
        state = b.state if b else "tidak ada"
        await edit_or_send(query, f"Pengumuman #{pending.held} tidak lagi menunggu persetujuan "
                           f"({state}); tidak ada yang diubah.")
        return
    if not services.roles.covers(user.id, "umumkan", b.region):
        await acknowledge(query, OUTSIDE)
        return
    why = _why_not(services, pending, b.region, None) if approve else None
    if why is not None:
        await _refuse(update, context, pending, why)
        await set_state(services.db, b.id, ("held",), "cancelled", now)
        return
    if not await decide(services.db, pending.id, user.id, approve, now):
        await acknowledge(query)
        await edit_or_send(query, f"Permintaan {pending.id} sudah diputuskan.")
        return
    await acknowledge(query)
    if not approve:
        await set_state(services.db, b.id, ("held",), "cancelled", now)
        await audit(services.db, now, actor(user.id), "broadcast.reject",
                    f"permintaan {pending.id}: #{b.id} dari {b.created_by}")
        await edit_or_send(query, f"✖ Permintaan {pending.id} ditolak; pengumuman #{b.id} "
                           "dibatalkan.")
        await _tell(context, pending.requested_by, f"✖ Pengumuman #{b.id} ditolak oleh petugas "
                    "kedua dan dibatalkan; tidak ada yang dikirim.")
        return
    count = await release_held(services.db, b.id, actor(user.id), pending.recipients)
    if count is None:       # cancelled in the meantime
        await edit_or_send(query, f"Pengumuman #{b.id} sudah tidak ditahan; tidak ada yang "
                           "diubah.")
        return
    await audit(services.db, now, actor(user.id), "broadcast.approve",
                f"permintaan {pending.id}: #{b.id} dari {b.created_by}",
                describe_audience(b, services.content, services.regions), count)
    if services.engine is not None:
        services.engine.poke()
    await edit_or_send(query, f"✅ Permintaan {pending.id} disetujui: pengumuman #{b.id} dikirim "
                       f"ke {count} penerima.")
    await _tell(context, pending.requested_by, f"✅ Pengumuman #{b.id} disetujui petugas kedua; "
                f"dikirim ke {count} penerima.")


def _why_not(services: Services, pending: Approval, region: str | None,
             at: datetime | None) -> str | None:
    """Why this request may no longer be approved, if it may not."""
    if not services.roles.covers(pending.requested_by, "umumkan", region):
        return ("pemohon tidak lagi berwenang mengumumkan ke sasaran ini (perannya dicabut atau "
                "wilayahnya berubah)")
    # The calendar's rule for sends missed while the bot was down: past SCHEDULE_GRACE_HOURS
    # the content is likely stale. A request to send at once (or a broadcast held as it
    # started) was due when it was asked for.
    hours = services.settings.schedule_grace_hours
    due = at if at is not None else datetime.fromisoformat(pending.requested_at)
    if services.clock.now() - due <= timedelta(hours=hours):
        return None
    when = due.astimezone(services.settings.tz).strftime("%Y-%m-%d %H:%M")
    what = f"waktu kirimnya ({when})" if at is not None else f"permintaannya ({when}, untuk segera)"
    return (f"{what} sudah lewat lebih dari {hours:g} jam, jadi isinya mungkin sudah basi; "
            "pemohon bisa mengajukan lagi dengan /umumkan")


async def _refuse(update: Update, context: SuaraContext, pending: Approval, why: str) -> None:
    """Refused rather than approved: settled as rejected, recorded, and both told why."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services, now = context.services, context.services.clock.now()
    await acknowledge(query)
    if await decide(services.db, pending.id, user.id, False, now):
        await audit(services.db, now, actor(user.id), "broadcast.reject",
                    f"permintaan {pending.id} dari tg:{pending.requested_by}: {why}")
    await edit_or_send(query, f"⚠️ Permintaan {pending.id} tidak bisa disetujui: {why}. "
                       "Permintaan ditolak; tidak ada yang dikirim.")
    await _tell(context, pending.requested_by, f"✖ Permintaan {pending.id} tidak disetujui: "
                f"{why}. Tidak ada yang dikirim.")


async def send_to(bot: Bot, user_id: int, text: str) -> int | None:
    try:
        message = await bot.send_message(user_id, text)
    except TelegramError:
        return None
    return message.message_id


async def _tell(context: SuaraContext, user_id: int, text: str) -> int | None:
    return await send_to(context.bot, user_id, text)


def register(app: Application) -> None:
    add_buttons(app, "P", "umumkan", on_decision)
