"""/umumkan (/broadcast): content → audience, urgency, time → preview → confirm, edit or cancel.
Buttons carry "1:A:<draft>:<op>"; a draft that expired says so when touched. An announcer of
one kabupaten/kota drafts for their region, and no button takes the audience outside it."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, MessageHandler, filters

from bot.broadcasts.compose import ComposeError, Composer
from bot.callbacks import SMALL_MAX, Callback
from bot.context import SuaraApplication, SuaraContext
from bot.ids import parse_int
from bot.officials import approval, screens
from bot.officials.drafts import Draft, Drafts, parse_when, text_problem
from bot.officials.guard import add_buttons, add_command, roles_of
from bot.officials.launch import audience_counts, describe_audience, launch
from bot.officials.progress import follow
from bot.officials.roles import actor
from bot.officials.summary import summary_screen
from bot.officials.widgets import back_only
from bot.regions.tree import DESA, KECAMATAN
from bot.replies import acknowledge, edit_or_send
from bot.services import Services
from bot.storage.broadcasts import Broadcast, Recipient

EXPIRED = "⌛ Draf pengumuman ini sudah kedaluwarsa atau diganti. Mulai lagi dengan /umumkan."
GONE = "Draf ini sudah dikirim, dibatalkan, diganti atau kedaluwarsa: lihat /jadwal."


def drafts_of(context: SuaraContext) -> Drafts:
    drafts = context.application.bot_data.get("drafts")
    assert isinstance(drafts, Drafts)
    return drafts


async def start_flow(update: Update, context: SuaraContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    now = services.clock.now()
    draft = await drafts_of(context).new(services.db, user.id, now)
    draft.region = services.roles.scope(user.id, "umumkan")
    text, markup = screens.content_screen(draft, services.content)
    await drafts_of(context).save(services.db, draft, now)
    await chat.send_message(text, reply_markup=markup)


async def on_input(update: Update, context: SuaraContext) -> None:
    """The official's text for the draft, or the date and time it should go out."""
    services = context.services
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    now = services.clock.now()
    draft = await drafts_of(context).waiting_for_text(services.db, user.id, now)
    if draft is None:
        return
    await _take_input(message, services, draft, now)
    await drafts_of(context).save(services.db, draft, now)


async def _take_input(message: Message, services: Services, draft: Draft,
                      now: datetime) -> None:
    if draft.step == "content":
        # Officials write Telegram HTML; what Telegram delivered is the text as typed.
        text = message.text_html if message.entities else (message.text or "")
        if not message.entities:
            text = html.escape(text, quote=False) if "<" not in text and "&" not in text \
                else text
        problem = text_problem(text)
        if problem:
            await message.reply_text(f"⚠️ Belum bisa dipakai: {html.escape(problem)}.\n"
                                     "Perbaiki lalu kirim lagi, atau /umumkan untuk mulai ulang.")
            return
        draft.text, draft.template = text, None
    else:
        moment = parse_when(message.text or "", services.settings.tz, now)
        if isinstance(moment, str):
            await message.reply_text(f"⚠️ {html.escape(moment)} ({services.settings.timezone}).")
            return
        draft.at = moment
    draft.step = "options"
    text, markup = screens.options_screen(draft, services)
    await message.reply_text(text, reply_markup=markup)


async def on_button(update: Update, context: SuaraContext, cb: Callback) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    services = context.services
    draft_id, op = cb.text, cb.choice      # shapes checked by decode(); apply() bounds them
    now = services.clock.now()
    draft = await drafts_of(context).get(services.db, user.id, draft_id, now)
    if draft is None or draft.step == "done":
        if op in ("s", "x"):    # a second press of send or cancel (a double tap): the first's
            await acknowledge(query, GONE)     # answer stays on the message
            return
        await acknowledge(query, "Kedaluwarsa")
        await edit_or_send(query, EXPIRED)
        return
    await acknowledge(query)
    await _step(update, context, draft, op)
    # Kept for the next step, wherever it is handled (after a drop or a confirmation the
    # stored row is newer than this draft: nothing is written).
    await drafts_of(context).save(services.db, draft, now)


async def _step(update: Update, context: SuaraContext, draft: Draft, op: str) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    if op == "x":
        await drafts_of(context).drop(services.db, draft.owner, services.clock.now())
        await edit_or_send(query, "✖ Pengumuman dibatalkan; tidak ada yang dikirim.")
        return
    if op == "v":
        await preview(query.message, context, draft)    # type: ignore[arg-type]
        return
    if op == "s":
        await confirm(update, context, draft)
        return
    if op == "w":
        draft.step = "when"
        await edit_or_send(query, "📅 Kirim tanggal dan jam pengiriman, misalnya "
                           f"<code>2024-11-26 08:00</code> ({services.settings.timezone}).",
                           back_only(draft))
        return
    if op[:1] == "e":       # "e<page>": a page of the templates
        draft.step = "content"
        text, markup = screens.content_screen(draft, services.content,
                                              parse_int(op[1:], 0, SMALL_MAX) or 0)
        await edit_or_send(query, text, markup)
        return
    if screens.stale_places(draft, op, services):     # the region lists changed (a reload)
        text, markup = await screens.screen_for(draft, "k", services)
        await edit_or_send(query, "🔄 Daftar wilayah berubah sejak tombol ini dibuat (konten "
                           f"dimuat ulang); pilih lagi.\n\n{text}", markup)
        return
    if not screens.apply(draft, op, services):
        await edit_or_send(query, EXPIRED)
        return
    text, markup = await screens.screen_for(draft, op, services)
    await edit_or_send(query, text, markup)


def sample_recipient(draft: Draft, context: SuaraContext, lang: str) -> Recipient:
    """A recipient like those the draft reaches: in its desa, or the first desa of its area."""
    regions = context.services.regions
    region = regions.get(draft.region or "")
    if region is None or region.level != DESA:
        kecamatan = region.code if region and region.level == KECAMATAN else \
            (regions.kecamatan_in(region.code if region else None) or regions.kecamatan)[0].code
        desas = regions.desa_of.get(kecamatan) or []
        region = desas[0] if desas else None
    user = context.user
    return Recipient(user.user_id if user else 0, lang, region.code if region else None, 0, 0)


async def preview(message: Message, context: SuaraContext, draft: Draft) -> None:
    services = context.services
    counts = await audience_counts(services.db, draft)
    composer = Composer(services.content, services.regions, services.tps,
                        services.settings.paid_broadcast)
    probe = Broadcast(0, "", "", draft.text, draft.template, draft.topic, draft.region,
                      draft.language, draft.urgent, "", "scheduled", None, False, None, None)
    # As of the day it goes out: a scheduled template's "N hari lagi" is counted from then.
    today = (draft.at or services.clock.now()).astimezone(services.settings.tz).date()
    for lang in sorted(counts) or [draft.language or "id"]:
        recipient = sample_recipient(draft, context, lang)
        try:
            text = composer.text(probe, recipient, today)
        except ComposeError as exc:
            await message.chat.send_message(f"⚠️ Template tidak bisa disusun: "
                                            f"{html.escape(str(exc))}")
            return
        label = composer.payload(recipient, text)["reply_markup"]["inline_keyboard"][0][0]["text"]
        place = services.regions.get(recipient.region or "")
        await message.chat.send_message(
            f"👁 Pratinjau — bahasa {lang}{f', contoh desa {place.name}' if place else ''}:")
        await message.chat.send_message(text, reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=Callback("N").encode())]]))
    draft.step = "preview"
    text, markup = summary_screen(draft, services, counts)
    await message.chat.send_message(text, reply_markup=markup)


async def confirm(update: Update, context: SuaraContext, draft: Draft) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    services = context.services
    now = services.clock.now()
    if not services.roles.covers(user.id, "umumkan", draft.region):   # a role changed since
        await drafts_of(context).drop(services.db, user.id, now)
        await edit_or_send(query, "⚠️ Sasaran ini di luar wilayah tugas Anda; tidak ada yang "
                           "dikirim. Mulai lagi dengan /umumkan.")
        return
    if draft.template and draft.template not in services.content.schedule.templates:
        await edit_or_send(query, f"⚠️ Template {html.escape(draft.template)} tidak ada lagi "
                           "(konten dimuat ulang); pilih isi lain.", back_only(draft))
        return
    counts = await audience_counts(services.db, draft)
    total = sum(counts.values())
    if total == 0:
        await edit_or_send(query, "Belum ada pelanggan yang cocok dengan sasaran ini.",
                           back_only(draft))
        return
    if draft.at is not None and draft.at <= now:
        draft.at = None if now - draft.at < timedelta(minutes=5) else draft.at
        if draft.at is not None:
            await edit_or_send(query, "⚠️ Waktu kirimnya sudah lewat; pilih waktu lain.",
                               back_only(draft))
            return
    await drafts_of(context).drop(services.db, user.id, now)
    draft.step = "done"
    threshold = services.settings.approval_threshold
    if threshold is not None and total > threshold:
        await approval.request(update, context, draft, total)
        return
    broadcast_id = await launch(services.db, draft, services.content, services.regions,
                                actor(user.id), total, now)
    if services.engine is not None:
        services.engine.poke()
    await edit_or_send(query, f"✅ Pengumuman #{broadcast_id} masuk antrean untuk {total} penerima "
                       f"({describe_audience(draft, services.content, services.regions)}).")
    sent = await query.message.chat.send_message(f"📤 Pengumuman #{broadcast_id}: menunggu…")
    await follow(context, user.id, sent.chat_id, sent.message_id, broadcast_id)


async def preview_button(update: Update, context: SuaraContext) -> None:
    if update.callback_query is not None:
        await acknowledge(update.callback_query, "Ini hanya pratinjau.")


def register(app: Application) -> None:
    assert isinstance(app, SuaraApplication)
    drafts = app.bot_data["drafts"] = Drafts()
    clock = app.services.clock
    roles = roles_of(app)

    class Waiting(filters.MessageFilter):
        def filter(self, message: Message) -> bool:
            user = message.from_user
            return (message.chat.type == "private" and user is not None
                    and roles.may(user.id, "umumkan")
                    and drafts.awaits_text(user.id, clock.now()))

    add_command(app, "umumkan", start_flow)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & Waiting(), on_input))
    add_buttons(app, "A", "umumkan", on_button)
    add_buttons(app, "N", "umumkan", lambda u, c, _cb: preview_button(u, c))
