"""/jadwal (/schedule): scheduled, running, paused and held broadcasts, whoever started them
(Telegram, the CLI or the calendar), each with pause, resume and cancel buttons
("1:J:<broadcast id>:p|r|c"); a held one also with the approval request's own button. An
announcer of one kabupaten/kota sees and changes only broadcasts within it."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application

from bot.callbacks import Callback
from bot.context import SuaraContext
from bot.listing import fit
from bot.officials.guard import add_buttons, add_command, numbered
from bot.officials.progress import STATE_NAMES
from bot.officials.roles import actor, shown_actor
from bot.replies import acknowledge, edit_or_send
from bot.services import Services
from bot.storage.broadcasts import TRANSITIONS, get_broadcast, list_open, outcome_counts
from bot.storage.officials import control_broadcast, pending_for_broadcast
from bot.storage.schedule import pending_sends

ACTIONS = {"p": "pause", "r": "resume", "c": "cancel"}
LABELS = {"pause": "⏸ Jeda", "resume": "▶ Lanjut", "cancel": "✖ Batalkan"}


CALENDAR_SHOWN = 5


async def listing(services: Services, scope: str | None = None, to_super: bool = False
                  ) -> tuple[str, InlineKeyboardMarkup | None]:
    """The open broadcasts within `scope`; whose Telegram id made one only `to_super`."""
    open_ = await list_open(services.db, region=scope)
    # The calendar is the whole deployment's: shown to those who may change it.
    upcoming = (await pending_sends(services.db))[:CALENDAR_SHOWN] if scope is None else []
    calendar = [f"• {due.astimezone(services.settings.tz).strftime('%Y-%m-%d %H:%M')} "
                f"<code>{escape(key)}</code>" for key, due in upcoming]
    if calendar:   # not broadcasts yet: each becomes one at its time (then it is listed above)
        calendar = ["\n📆 <b>Berikutnya dari kalender konten</b> (content/schedule.yaml; jadi "
                    "pengumuman pada waktunya, lalu bisa dijeda atau dibatalkan):", *calendar]
    if not open_:
        return "\n".join(["🗓 Tidak ada pengumuman yang terjadwal, berjalan atau dijeda.",
                          *calendar]), None
    items, rows = [], []
    for b in open_:
        counts = await outcome_counts(services.db, b.id)
        done = sum(v for k, v in counts.items() if k != "pending")
        what = f"template {b.template}" if b.template else "teks"
        when = b.not_before[:16].replace("T", " ") + " UTC"
        items.append(escape(f"#{b.id} · {STATE_NAMES.get(b.state, b.state)} · {what} · oleh "
                            f"{shown_actor(b.created_by, to_super)} · mulai {when}"
                            + (f" · {done}/{sum(counts.values())}" if counts else "")))
        buttons = [InlineKeyboardButton(f"{LABELS[action]} #{b.id}",
                                        callback_data=Callback("J", f"{b.id}:{code}").encode())
                   for code, action in ACTIONS.items() if b.state in TRANSITIONS[action][0]]
        request = await pending_for_broadcast(services.db, b.id) if b.state == "held" else None
        if request is not None:     # the two-person rule: a second official releases it
            buttons.insert(0, InlineKeyboardButton(
                f"✅ Setujui #{b.id}", callback_data=Callback("P", f"{request}:y").encode()))
        rows.append(buttons)
    # Whole lines only, and a button row for each line shown.
    fitted = fit("🗓 <b>Pengumuman terjadwal dan berjalan</b>", items, tail="\n".join(calendar))
    return fitted.text, InlineKeyboardMarkup(rows[:fitted.shown])


async def show(update: Update, context: SuaraContext) -> None:
    assert update.effective_chat is not None and update.effective_user is not None
    roles = context.services.roles
    scope = roles.scope(update.effective_user.id, "jadwal")
    text, markup = await listing(context.services, scope, roles.is_super(update.effective_user.id))
    await update.effective_chat.send_message(text, reply_markup=markup)


async def on_button(update: Update, context: SuaraContext, cb: Callback) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    broadcast_id, code = numbered(cb)
    action = ACTIONS.get(code)
    b = await get_broadcast(services.db, broadcast_id) if broadcast_id is not None else None
    if b is None or action is None:
        await acknowledge(query, "Tidak ditemukan")
        return
    scope = services.roles.scope(user.id, "jadwal")
    if not services.roles.covers(user.id, "jadwal", b.region):
        await acknowledge(query, "Di luar wilayah Anda")
        return
    target = TRANSITIONS[action][1]
    if await control_broadcast(services.db, b.id, action, actor(user.id), user.id,
                               services.clock.now()):
        if services.engine is not None:
            services.engine.poke()
        await acknowledge(query, f"#{b.id}: {STATE_NAMES[target]}")
    else:
        await acknowledge(query, f"#{b.id} sudah {STATE_NAMES.get(b.state, b.state)}")
    text, markup = await listing(services, scope, services.roles.is_super(user.id))
    await edit_or_send(query, text, markup)


def register(app: Application) -> None:
    add_command(app, "jadwal", show)
    add_buttons(app, "J", "jadwal", on_button)
