"""/petugas (/officials): super-admins list, add and remove officials and their roles (by id,
or by forwarding one of the person's messages); /audit: the audit log, or all of it as CSV."""

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
from bot.officials.guard import add_buttons, add_command, numbered, roles_of
from bot.officials.menus import set_official_menu
from bot.officials.roles import ROLE_NAMES, SUPER
from bot.replies import acknowledge, edit_or_send
from bot.storage.officials import AUDIT_COLUMNS, iter_audit, recent_audit

ROLE_WORDS = {"announcer": "announcer", "pengumum": "announcer",
              "campaign_manager": "campaign_manager", "kampanye": "campaign_manager",
              "viewer": "viewer", "pemantau": "viewer"}
ROLE_CODES = {"a": "announcer", "c": "campaign_manager", "v": "viewer"}
USAGE = ("<b>Petugas</b>\n"
         "• <code>/petugas tambah ID peran</code> — peran: pengumum, kampanye, pemantau\n"
         "• <code>/petugas hapus ID [peran]</code> — tanpa peran: semua perannya\n"
         "• atau, dalam 5 menit setelah <code>/petugas</code>, teruskan (forward) satu pesan "
         "orangnya ke sini, lalu pilih perannya.")
# A forwarded message picks an official only this long after /petugas; any other forward is a
# claim the bot checks, as a citizen's would be.
PICKING = timedelta(minutes=5)
PICKING_KEY = "picking_official_until"


def _listing(context: SuaraContext) -> str:
    roles = context.services.roles
    lines = ["👥 <b>Petugas dan perannya</b>"]
    for uid, held in sorted(roles.officials().items()):
        names = ["super-admin (ADMIN_IDS)"] if SUPER in held else [ROLE_NAMES[r] for r in sorted(held)]
        lines.append(f"• <code>{uid}</code>: {', '.join(names)}")
    return "\n".join(lines) + "\n\n" + USAGE


async def officials(update: Update, context: SuaraContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    args = context.args or []
    services = context.services
    now = services.clock.now()
    if not args:
        if context.user_data is not None:
            context.user_data[PICKING_KEY] = now + PICKING
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
        added = await services.roles.grant(services.db, target, role, user.id, now)
        await message.reply_text(f"✅ <code>{target}</code> sekarang {ROLE_NAMES[role]}." if added
                                 else f"<code>{target}</code> sudah {ROLE_NAMES[role]}.")
    elif verb in ("hapus", "remove") and target is not None and (len(args) < 3 or role):
        if services.roles.is_super(target):
            await message.reply_text("Super-admin diatur lewat ADMIN_IDS di server, bukan di sini.")
            return
        removed = await services.roles.revoke(services.db, target, role, user.id, now)
        await message.reply_text(f"✅ Peran <code>{target}</code> dicabut." if removed
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
    buttons = [InlineKeyboardButton(f"{'✅ ' if role in held else ''}{ROLE_NAMES[role]}",
                                    callback_data=Callback("O", f"{person.id}:{code}").encode())
               for code, role in ROLE_CODES.items()]
    await message.reply_text(f"Beri peran kepada {html.escape(person.full_name)} "
                             f"(<code>{person.id}</code>)? Tekan lagi untuk mencabut.",
                             reply_markup=InlineKeyboardMarkup([[b] for b in buttons]))


async def on_role_button(update: Update, context: SuaraContext, cb: Callback) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    target, code = numbered(cb)
    role = ROLE_CODES.get(code)
    if target is None or role is None or services.roles.is_super(target):
        await acknowledge(query, "Tidak bisa")
        return
    now = services.clock.now()
    if role in services.roles.of(target):
        await services.roles.revoke(services.db, target, role, user.id, now)
        await acknowledge(query, f"Dicabut: {ROLE_NAMES[role]}")
    else:
        await services.roles.grant(services.db, target, role, user.id, now)
        await acknowledge(query, f"Diberikan: {ROLE_NAMES[role]}")
    await set_official_menu(context.bot, services.content, services.roles, target)
    held = services.roles.of(target)
    await edit_or_send(query, f"Peran <code>{target}</code>: "
                       f"{', '.join(ROLE_NAMES[r] for r in sorted(held)) or 'tidak ada'}.")


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
            until = app.user_data.get(user.id, {}).get(PICKING_KEY)
            return until is not None and app.services.clock.now() < until  # type: ignore[attr-defined]

    add_command(app, "petugas", officials)
    add_command(app, "audit", audit_log)
    app.add_handler(MessageHandler(filters.FORWARDED & PickingOfficial(), forwarded))
    add_buttons(app, "O", "petugas", on_role_button)
