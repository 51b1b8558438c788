"""/kampanye (/campaign): campaign managers create campaigns (their own), get the deep link, an
A4 QR poster and a share button, set a welcome and FAQ topics, and see the leaderboard.
Super-admins see and change every campaign. A campaign manager of one kabupaten/kota makes
regional campaigns (they carry the region) and sees only their region's on the leaderboard."""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application

from bot.campaigns.codes import code_problem, deep_link, share_link
from bot.campaigns.poster import poster_png
from bot.context import SuaraContext
from bot.ids import user_id
from bot.listing import fit
from bot.officials.drafts import text_problem
from bot.officials.guard import add_command
from bot.officials.roles import actor, within
from bot.storage.campaigns import (
    Campaign,
    campaign_counts,
    create_campaign,
    get_campaign,
    list_campaigns,
    update_campaign,
)
from bot.storage.officials import audit

log = logging.getLogger(__name__)

USAGE = ("• <code>/kampanye baru KODE Nama kampanye</code> — kode: huruf, angka, _ atau -, "
         "paling banyak 64\n"
         "• <code>/kampanye KODE</code> — angka, tautan dan poster QR kampanye itu\n"
         "• <code>/kampanye sambutan KODE teks</code> — sapaan bagi yang datang lewat tautannya "
         "(<code>-</code> untuk menghapus)\n"
         "• <code>/kampanye topik KODE id-topik …</code> — topik FAQ yang ditawarkan: {topics}\n"
         "• <code>/kampanye pemilik KODE ID</code> — super-admin: serahkan kampanye ke pengelola "
         "lain")


async def campaign_command(update: Update, context: SuaraContext) -> None:
    message = update.effective_message
    assert message is not None
    args = context.args or []
    verb = args[0].lower() if args else ""
    if not args:
        await leaderboard(message, context)
    elif verb in ("baru", "new") and len(args) >= 3:
        await create(message, context, args[1], " ".join(args[2:]))
    elif verb in ("sambutan", "welcome", "topik", "topics", "pemilik", "owner") \
            and len(args) >= 3:
        await change(message, context, verb, args[1], args[2:])
    elif len(args) == 1:
        campaign = await _own(message, context, args[0])
        if campaign is not None:
            await send_campaign(message, context, campaign)
    else:
        await message.reply_text("⚠️ Perintah tidak dikenali.\n\n" + _usage(context))


def _usage(context: SuaraContext) -> str:
    return USAGE.format(topics=", ".join(f"<code>{t}</code>" for t in context.services.content.topics))


async def _own(message: Message, context: SuaraContext, code: str) -> Campaign | None:
    """The campaign, if it exists and this official may manage it (owner, or super-admin)."""
    campaign = await get_campaign(context.services.db, code)
    user = message.from_user
    assert user is not None
    if campaign is None or (campaign.owner_id != user.id
                            and not context.services.roles.is_super(user.id)):
        await message.reply_text(f"Kampanye <code>{html.escape(code)}</code> tidak ada di "
                                 "kampanye Anda.")
        return None
    return campaign


async def leaderboard(message: Message, context: SuaraContext) -> None:
    services, user = context.services, message.from_user
    assert user is not None
    scope = services.roles.scope(user.id, "kampanye")
    codes = None if scope is None else [c.code for c in await list_campaigns(services.db)
                                        if within(c.region, scope)]
    rows = await campaign_counts(services.db, codes)
    # Whole rows only (a cut after escaping could split a tag or an entity).
    items = [f"{i}. <b>{html.escape(r.name)}</b> (<code>{html.escape(r.code)}</code>): "
             f"{r.starts} mulai, {r.brought_in} dibawa masuk, {r.subscribers} berlangganan, "
             f"{r.questions} pertanyaan" for i, r in enumerate(rows[:30], 1)]
    head = "🏆 <b>Papan kampanye</b> (dibawa masuk = warga yang pertama datang lewat tautannya)"
    await message.reply_text(fit(head, items or ["Belum ada kampanye."], total=len(rows) or 1,
                                 tail="\n" + _usage(context)).text)


async def create(message: Message, context: SuaraContext, code: str, name: str) -> None:
    services, user = context.services, message.from_user
    assert user is not None
    problem = code_problem(code) or (None if len(name) <= 100 else "nama lebih dari 100 karakter")
    if problem:
        await message.reply_text(f"⚠️ {html.escape(problem)}.")
        return
    if await get_campaign(services.db, code) is not None:
        await message.reply_text(f"⚠️ Kode <code>{code}</code> sudah dipakai; pilih kode lain.")
        return
    # The poster is drawn before anything is written: a name it cannot draw leaves no campaign.
    png = await poster(context, code, name)
    if png is None:
        await message.reply_text("⚠️ Poster untuk nama itu tidak bisa dibuat, jadi kampanye "
                                 f"<code>{code}</code> belum dibuat; coba nama lain.")
        return
    now = services.clock.now()
    region = services.roles.scope(user.id, "kampanye")
    if not await create_campaign(services.db, code, name, user.id, now, region):
        await message.reply_text(f"⚠️ Kode <code>{code}</code> sudah dipakai; pilih kode lain.")
        return
    await audit(services.db, now, actor(user.id), "campaign.create",
                f"{code}: {name}{f' ({region})' if region else ''}")
    campaign = await get_campaign(services.db, code)
    assert campaign is not None
    await send_campaign(message, context, campaign, png)


def text_after_code(text: str) -> str:
    """What follows `/kampanye sambutan KODE` as typed, line breaks and repeated spaces kept
    (context.args would join the words with one space)."""
    parts = text.strip().split(None, 3)
    return parts[3] if len(parts) == 4 else ""


async def change(message: Message, context: SuaraContext, verb: str, code: str,
                 rest: list[str]) -> None:
    services, user = context.services, message.from_user
    assert user is not None
    campaign = await _own(message, context, code)
    if campaign is None:
        return
    if verb in ("pemilik", "owner"):
        new_owner = user_id(rest[0])
        if new_owner is None or len(rest) > 1:
            await message.reply_text("⚠️ Sesudah kode kampanye, tulis satu ID Telegram: angka "
                                     "bulat positif.\n\n" + _usage(context))
            return
        if not services.roles.is_super(user.id) or not services.roles.may(new_owner, "kampanye"):
            await message.reply_text("⚠️ Hanya super-admin yang menyerahkan kampanye, dan hanya "
                                     "kepada pengelola kampanye (lihat /petugas).")
            return
        await update_campaign(services.db, code, owner_id=new_owner)
        detail = f"pemilik sekarang {new_owner}"
    elif verb in ("sambutan", "welcome"):
        welcome = text_after_code(message.text or "")
        welcome = "" if welcome == "-" else welcome
        problem = text_problem(welcome) if welcome else None
        if problem:
            await message.reply_text(f"⚠️ {html.escape(problem)}.")
            return
        await update_campaign(services.db, code, welcome=welcome)
        detail = "sambutan dihapus" if not welcome else "sambutan diubah"
    else:
        topics = tuple(dict.fromkeys(t for t in rest if t != "-"))
        unknown = [t for t in topics if t not in services.content.topics]
        if unknown:
            await message.reply_text(f"⚠️ Topik tidak dikenal: {html.escape(', '.join(unknown))}."
                                     f"\n\n{_usage(context)}")
            return
        await update_campaign(services.db, code, topics=topics)
        detail = f"topik: {', '.join(topics) or '-'}"
    await audit(services.db, services.clock.now(), actor(user.id), "campaign.update",
                f"{code}: {detail}")
    await message.reply_text(f"✅ Kampanye <code>{code}</code>: {html.escape(detail)}.")


async def poster(context: SuaraContext, code: str, name: str) -> bytes | None:
    """The campaign's A4 poster, or None (logged) when it cannot be drawn."""
    link = deep_link(context.bot.username, code)
    short_name = context.services.content.election.short_name.get("id")
    try:
        return await asyncio.to_thread(poster_png, name, link,
                                       f"Pindai untuk bertanya soal {short_name} ke Suara")
    except Exception:    # any drawing failure: the manager hears it precisely
        log.exception("campaign %s: the poster could not be drawn", code)
        return None


async def send_campaign(message: Message, context: SuaraContext, campaign: Campaign,
                        png: bytes | None = None) -> None:
    services = context.services
    link = deep_link(context.bot.username, campaign.code)
    counts = await campaign_counts(services.db, [campaign.code])
    c = counts[0] if counts else None
    png = png or await poster(context, campaign.code, campaign.name)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(
        "📤 Bagikan tautan", url=share_link(link, f"{campaign.name}: tanya soal pemilu ke Suara"))]])
    stats = (f"{c.starts} mulai · {c.brought_in} dibawa masuk · {c.subscribers} berlangganan · "
             f"{c.questions} pertanyaan" if c else "")
    place = services.regions.place(campaign.region)
    await message.reply_text(
        f"🎯 <b>{html.escape(campaign.name)}</b> (<code>{campaign.code}</code>)"
        f"{f' · {html.escape(place.name)}' if place else ''}\n"
        f"Tautan: {link}\n{stats}\n"
        f"Topik: {', '.join(campaign.topics) or 'menu biasa'} · Sambutan: "
        f"{'ada' if campaign.welcome else 'sapaan biasa'}", reply_markup=markup)
    if png is None:
        await message.reply_text("⚠️ Poster kampanye ini tidak bisa dibuat; tautan dan tombol "
                                 "bagikan di atas tetap bisa dipakai.")
        return
    await message.reply_document(png, filename=f"poster-{campaign.code}.png",
                                 caption="Poster A4 (PNG, 150 dpi) siap cetak.")


def register(app: Application) -> None:
    add_command(app, "kampanye", campaign_command)
