"""/petugas (/officials): super-admins list, add and remove officials and their roles (by id,
or by forwarding one of the person's messages); in a province a role may be given for one
kabupaten/kota, in a national deployment for one province too (picked from a list,
"1:W:<id>:<role>:<code>", or typed after the role: a code or a name);
/audit: the audit log, or all of it as CSV."""

from __future__ import annotations

import html
import io
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageOriginUser, Update
from telegram.ext import Application, MessageHandler, filters

from bot import csvsafe
from bot.callbacks import Callback
from bot.context import SuaraContext
from bot.ids import user_id
from bot.listing import fit
from bot.officials.closing import close_uncovered
from bot.officials.drafts import Drafts
from bot.officials.guard import add_buttons, add_command, numbered, roles_of
from bot.officials.menus import set_official_menu
from bot.officials.roles import ROLE_NAMES, SUPER, Roles, actor
from bot.officials.rolescope import on_page, region_buttons
from bot.regions.tree import RegionTree, fold
from bot.replies import acknowledge, edit_or_send
from bot.storage.broadcast_lists import open_by
from bot.storage.officials import AUDIT_COLUMNS, iter_audit, recent_audit

ROLE_WORDS = {"announcer": "announcer", "pengumum": "announcer",
              "campaign_manager": "campaign_manager", "kampanye": "campaign_manager",
              "viewer": "viewer", "pemantau": "viewer"}
ROLE_CODES = {"a": "announcer", "c": "campaign_manager", "v": "viewer"}
USAGE = ("<b>Petugas</b>\n"
         "• <code>/petugas tambah ID peran [wilayah]</code> — peran: pengumum, kampanye, "
         "pemantau; wilayah (di provinsi): kode atau nama kabupaten/kota (nasional: juga "
         "provinsi), tanpa wilayah: seluruh wilayah\n"
         "• <code>/petugas hapus ID [peran]</code> — tanpa peran: semua perannya\n"
         "• atau, dalam 5 menit setelah <code>/petugas</code>, teruskan (forward) satu pesan "
         "orangnya ke sini, lalu pilih perannya.")
# A forwarded message picks an official only this long after /petugas; any other forward is a
# claim the bot checks, as a citizen's would be.
PICKING = timedelta(minutes=5)


def _drafts(app: Application) -> Drafts:
    """The officials' sessions (officials/drafts.py; made by announce.register)."""
    drafts = app.bot_data.get("drafts")
    assert isinstance(drafts, Drafts)
    return drafts


def region_name(regions: RegionTree, code: str | None) -> str:
    """How a role's scope reads: a kabupaten/kota's or a province's name, or the whole
    deployment's."""
    region = regions.place(code)
    return region.name if region else f"seluruh {regions.root_name}"


def held_roles(roles: Roles, regions: RegionTree, uid: int) -> str:
    """An official's roles, each with its region when it has one."""
    scoped = roles.regions_of(uid)
    if SUPER in scoped:
        return "super-admin (ADMIN_IDS)"
    return ", ".join(f"{ROLE_NAMES[r]}{f' — {html.escape(region_name(regions, c))}' if c else ''}"
                     for r, c in sorted(scoped.items())) or "tidak ada"


def scope_code(regions: RegionTree, words: list[str]) -> str | None:
    """The deployment's kabupaten/kota (or a national deployment's province) typed as its
    code or its name ("Kota Bogor": a name both a kabupaten's and a kota's needs its kind)."""
    text = " ".join(words)
    if regions.is_scope(text):
        return text
    folded = " ".join(w for w in fold(text).split() if w != "provinsi")
    province = next((c for c in regions.provinces if regions.is_scope(c) and folded
                     == " ".join(w for w in fold(regions.provinces[c]).split() if w != "provinsi")),
                    None)
    named = regions.named_region(text)
    return province or (named if named is not None and regions.is_scope(named) else None)


def _listing(context: SuaraContext) -> str:
    roles, regions = context.services.roles, context.services.regions
    lines = [f"• <code>{uid}</code>: {held_roles(roles, regions, uid)}"
             for uid in sorted(roles.officials())]
    # A province's officials can outgrow one message: as many as fit, and how many more.
    return fit("👥 <b>Petugas dan perannya</b>", lines, tail="\n" + USAGE).text


async def give(context: SuaraContext, target: int, role: str, region: str | None,
               by: int) -> str:
    """Grant a role (in `region`, or everywhere): what to tell the super-admin."""
    services = context.services
    other = services.roles.conflict(target, region)
    if other is not None:
        return (f"⚠️ <code>{target}</code> sudah bertugas untuk "
                f"{html.escape(region_name(services.regions, other))}; satu petugas hanya untuk "
                "satu kabupaten/kota. Cabut dulu perannya di sana.")
    added = await services.roles.grant(services.db, target, role, by, services.clock.now(),
                                       region)
    where = html.escape(region_name(services.regions, region))
    return (f"✅ <code>{target}</code> sekarang {ROLE_NAMES[role]} untuk {where}."
            + await _closed(context, target, by) if added
            else f"<code>{target}</code> sudah {ROLE_NAMES[role]} untuk {where}.")


async def _closed(context: SuaraContext, target: int, by: int) -> str:
    """The target's waiting requests their roles no longer allow, closed (closing.py); and
    those of their announcements still to go, which stay the office's to cancel (/jadwal)."""
    closed = await close_uncovered(context.bot, context.services, target, by)
    going = [i for i, region in await open_by(context.services.db, actor(target))
             if not context.services.roles.covers(target, "umumkan", region)]
    return (f"\n↩ Permintaannya yang menunggu ditarik: {', '.join(map(str, closed))}." * bool(closed)
            + f"\n📋 Pengumumannya yang masih terjadwal atau berjalan: "
            f"{', '.join(f'#{i}' for i in going)} (batalkan di /jadwal bila perlu)." * bool(going))


async def officials(update: Update, context: SuaraContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    args = context.args or []
    services = context.services
    now = services.clock.now()
    if not args:
        # in the official's session, not this process's memory: the forward may reach another
        await _drafts(context.application).start_picking(services.db, user.id, now + PICKING,
                                                          now)
        await message.reply_text(_listing(context))
        return
    verb = args[0].lower()
    target = user_id(args[1]) if len(args) > 1 else None
    role = ROLE_WORDS.get(args[2].lower()) if len(args) > 2 else None
    if verb in ("tambah", "add", "hapus", "remove") and len(args) > 1 and target is None:
        await message.reply_text("⚠️ ID harus ID Telegram: angka bulat positif, tanpa spasi "
                                 "atau tanda baca.\n\n" + USAGE)
        return
    if verb in ("tambah", "add") and target is not None and role is not None:
        region = scope_code(services.regions, args[3:]) if len(args) > 3 else None
        if len(args) > 3 and region is None:
            await message.reply_text("⚠️ Wilayah tidak dikenal: tulis kode atau nama "
                                     "kabupaten/kota (atau provinsi) di wilayah ini.\n\n"
                                     + USAGE)
            return
        await message.reply_text(await give(context, target, role, region, user.id))
    elif verb in ("hapus", "remove") and target is not None and (len(args) < 3 or role):
        if services.roles.is_super(target):
            await message.reply_text("Super-admin diatur lewat ADMIN_IDS di server, bukan di sini.")
            return
        removed = await services.roles.revoke(services.db, target, role, user.id, now)
        await message.reply_text(f"✅ Peran <code>{target}</code> dicabut."
                                 + await _closed(context, target, user.id) if removed
                                 else f"<code>{target}</code> tidak memegang peran itu.")
    else:
        await message.reply_text("⚠️ Perintah tidak dikenali.\n\n" + USAGE)
        return
    await set_official_menu(context.bot, services.content, services.roles, target)


async def forwarded(update: Update, context: SuaraContext) -> None:
    """A super-admin forwarded someone's message: offer the roles to give that person."""
    message = update.effective_message
    assert message is not None
    origin = message.forward_origin
    if not isinstance(origin, MessageOriginUser):
        await message.reply_text("Pengirim pesan ini menyembunyikan akunnya saat diteruskan. "
                                 "Minta ID Telegram-nya, lalu <code>/petugas tambah ID peran</code>.")
        return
    person = origin.sender_user
    held = context.services.roles.of(person.id)
    # Each button says what it does (a lower-case code gives the role, an upper-case one takes
    # it away), so a second press of it (a double tap) does not undo the first.
    buttons = [InlineKeyboardButton(f"{'✖ Cabut ' if role in held else ''}{ROLE_NAMES[role]}",
                                    callback_data=Callback("O", f"{person.id}:" + (
                                        code.upper() if role in held else code)).encode())
               for code, role in ROLE_CODES.items()]
    await message.reply_text(f"Beri peran kepada {html.escape(person.full_name)} "
                             f"(<code>{person.id}</code>)? Yang sudah dipegangnya: tekan untuk "
                             "mencabut.",
                             reply_markup=InlineKeyboardMarkup([[b] for b in buttons]))


async def on_role_button(update: Update, context: SuaraContext, cb: Callback) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    target, code = numbered(cb)
    role, take = ROLE_CODES.get(code.lower()), code.isupper()
    if target is None or role is None or services.roles.is_super(target):
        await acknowledge(query, "Tidak bisa")
        return
    now = services.clock.now()
    if take != (role in services.roles.of(target)):     # done already (a second press)
        await acknowledge(query, f"{'Sudah dicabut' if take else 'Sudah diberikan'}: "
                          f"{ROLE_NAMES[role]}")
        return
    if take:
        await services.roles.revoke(services.db, target, role, user.id, now)
        await acknowledge(query, f"Dicabut: {ROLE_NAMES[role]}")
        await _settled(update, context, target, (await _closed(context, target, user.id)).strip())
        return
    elif services.regions.kabupaten:       # a province: for which kabupaten/kota?
        await acknowledge(query)
        await edit_or_send(query, f"{ROLE_NAMES[role]} untuk <code>{target}</code>: di seluruh "
                           "wilayah, atau untuk satu "
                           f"{'provinsi atau ' * services.regions.several_provinces}"
                           "kabupaten/kota?",
                           region_buttons(services.content, services.regions, target, code))
        return
    else:
        await services.roles.grant(services.db, target, role, user.id, now)
        await acknowledge(query, f"Diberikan: {ROLE_NAMES[role]}")
    await _settled(update, context, target)


async def on_region_button(update: Update, context: SuaraContext, cb: Callback) -> None:
    """The region of a role being given (a province's kabupaten/kota, or "-": everywhere)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    target, role = cb.number, ROLE_CODES.get(cb.choice)
    region = None if cb.text == "-" else cb.text
    if target is None or role is None or services.roles.is_super(target) \
            or (region is not None and not services.regions.is_scope(region)):
        await acknowledge(query, "Tidak bisa")
        return
    await acknowledge(query)
    said = await give(context, target, role, region, user.id)
    await _settled(update, context, target, said)


async def _settled(update: Update, context: SuaraContext, target: int, said: str = "") -> None:
    """After a change: the person's command menu, and their roles now."""
    services = context.services
    query = update.callback_query
    assert query is not None
    await set_official_menu(context.bot, services.content, services.roles, target)
    await edit_or_send(query, f"{said}\n\n" * bool(said) + f"Peran <code>{target}</code>: "
                       f"{held_roles(services.roles, services.regions, target)}.")


async def audit_log(update: Update, context: SuaraContext) -> None:
    message = update.effective_message
    assert message is not None
    db = context.services.db
    if context.args and context.args[0].lower() == "csv":
        out = io.StringIO()
        writer = csvsafe.writer(out)
        writer.writerow(AUDIT_COLUMNS)
        async for entry in iter_audit(db):
            writer.writerow([entry.at, entry.actor, entry.action, entry.detail,
                             entry.audience or "", "" if entry.count is None else entry.count])
        await message.reply_document(out.getvalue().encode(), filename="audit.csv",
                                     caption="Log audit lengkap (CSV).")
        return
    entries = await recent_audit(db, 20)
    if not entries:
        await message.reply_text("Log audit masih kosong.")
        return
    items = []
    for e in entries:
        extra = "".join(x for x in (f" · {e.audience}" if e.audience else "",
                                    f" · {e.count} penerima" if e.count is not None else ""))
        # Whole entries, each escaped on its own: a long log drops entries, never cuts one.
        items.append(html.escape(f"{e.at[:16].replace('T', ' ')} {e.actor} {e.action} "
                                 f"{e.detail}{extra}"))
    await message.reply_text(fit("🧾 <b>Log audit</b> (20 terakhir; <code>/audit csv</code> "
                                 "untuk semuanya)", items,
                                 more=lambda n: f"… dan {n} lagi (lihat /audit csv)").text)


def register(app: Application) -> None:
    roles = roles_of(app)

    class PickingOfficial(filters.MessageFilter):
        """A super-admin, in private, within PICKING of their /petugas."""
        def filter(self, message: Message) -> bool:
            user = message.from_user
            if message.chat.type != "private" or user is None or not roles.is_super(user.id):
                return False
            return _drafts(app).picking(user.id, app.services.clock.now())  # type: ignore[attr-defined]

    add_command(app, "petugas", officials)
    add_command(app, "audit", audit_log)
    app.add_handler(MessageHandler(filters.FORWARDED & PickingOfficial(), forwarded))
    add_buttons(app, "O", "petugas", on_role_button)
    add_buttons(app, "W", "petugas", on_region_button)
    add_buttons(app, "X", "petugas", on_page)
