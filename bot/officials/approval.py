"""The two-person rule (APPROVAL_THRESHOLD): an announcement from Telegram to more recipients
than that waits for a second official with the announcer role, whose region covers the whole
audience; the requester cannot approve their own. Here: who is asked, and the request sent to
them with its buttons ("1:P:<request id>:y|n"); decisions.py answers the presses, and the
requester's withdrawal ("1:P:<request id>:w", from /jadwal).

The delivery engine counts again when it fixes the recipients: an announcement whose audience
grew past the threshold (or past what a second official approved) is held, and `held_notifier`
(held.py) asks the other officials, with the same buttons."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.callbacks import Callback
from bot.context import SuaraContext
from bot.officials.closing import close_messages
from bot.officials.drafts import Draft
from bot.officials.launch import describe_audience, describe_content
from bot.officials.roles import actor
from bot.replies import edit_or_send
from bot.services import Services
from bot.storage.approvals import keep_message
from bot.storage.officials import audit, request_approval

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


async def ask(bot: Bot, services: Services, officials: list[int], request_id: int,
              body: Callable[[bool], str], text: str | None) -> int:
    """Send the request (after the announcement's own text, if it has one) to each official,
    keeping each request message (closing.py edits them once it is settled); how many it
    reached. `body(to_super)`: the request as that official may read it (whose Telegram id
    asks only for super-admins)."""
    reached = 0
    for uid in officials:
        try:
            if text:
                await bot.send_message(uid, text)
            sent = await bot.send_message(uid, body(services.roles.is_super(uid)),
                                          reply_markup=decision_buttons(request_id))
            reached += 1
        except TelegramError as exc:   # an official who never opened the bot
            log.info("approval request %s not delivered to an official: %s", request_id, exc)
            continue
        await keep_message(services.db, request_id, uid, sent.message_id)
    # Decided while it was being sent: the messages sent after the decision looked for them.
    await close_messages(bot, services, request_id)
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
    reached = await ask(context.bot, services, approvers(services, user.id, draft.region),
                        request_id, body, draft.text)
    await edit_or_send(query, f"📨 Permintaan {request_id} ({total} penerima) menunggu "
                       f"persetujuan petugas kedua; dikirim ke {reached} petugas. Anda akan "
                       "diberi tahu hasilnya.")


async def send_to(bot: Bot, user_id: int, text: str) -> int | None:
    try:
        message = await bot.send_message(user_id, text)
    except TelegramError:
        return None
    return message.message_id
