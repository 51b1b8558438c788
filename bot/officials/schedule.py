"""/jadwal (/schedule): scheduled, running, paused and held broadcasts, whoever started them
(Telegram, the CLI or the calendar), each with pause, resume and cancel buttons
("1:J:<broadcast id>:p|r|c:<page>"); a held one also with the approval request's own button.
In pages of JADWAL_PAGE ("1:j:<page>"; a page past the end shows the last), as long lists are
elsewhere: Telegram refuses a keyboard of about 100 buttons, and a message of 4096 characters.
An announcer of one kabupaten/kota sees and changes only broadcasts within it."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application

from bot.callbacks import SMALL_MAX, Callback
from bot.context import SuaraContext
from bot.ids import parse_int
from bot.keyboards import page_count, page_nav
from bot.listing import fit
from bot.officials.guard import add_buttons, add_command, numbered
from bot.officials.progress import STATE_NAMES
from bot.officials.roles import actor, shown_actor
from bot.replies import acknowledge, edit_or_send
from bot.services import Services
from bot.storage.broadcast_lists import list_open
from bot.storage.broadcasts import TRANSITIONS, get_broadcast, outcome_counts
from bot.storage.officials import control_broadcast, pending_for_broadcast
from bot.storage.schedule import pending_sends

ACTIONS = {"p": "pause", "r": "resume", "c": "cancel"}
LABELS = {"pause": "⏸ Jeda", "resume": "▶ Lanjut", "cancel": "✖ Batalkan"}


CALENDAR_SHOWN = 5
JADWAL_PAGE = 10          # broadcasts on one page (up to four buttons each)


async def listing(services: Services, scope: str | None = None, to_super: bool = False,
                  page: int = 0) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of the open broadcasts within `scope`; whose Telegram id made one only
    `to_super`."""
    open_, total = await list_open(services.db, JADWAL_PAGE, scope, page * JADWAL_PAGE)
    pages = page_count(total, JADWAL_PAGE)
    if page >= pages:         # past the end (an old or forged button, or fewer now): the last
        page = pages - 1
        open_, total = await list_open(services.db, JADWAL_PAGE, scope, page * JADWAL_PAGE)
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
                                        callback_data=Callback("J", f"{b.id}:{code}:{page}").encode())
                   for code, action in ACTIONS.items() if b.state in TRANSITIONS[action][0]]
        request = await pending_for_broadcast(services.db, b.id) if b.state == "held" else None
        if request is not None:     # the two-person rule: a second official releases it
            buttons.insert(0, InlineKeyboardButton(
                f"✅ Setujui #{b.id}", callback_data=Callback("P", f"{request}:y").encode()))
        rows.append(buttons)
    # Whole lines only, and a button row for each line shown.
    where = f" (halaman {page + 1}/{pages})" if pages > 1 else ""
    fitted = fit(f"🗓 <b>Pengumuman terjadwal dan berjalan</b>{where}", items,
                 tail="\n".join(calendar))
    rows = rows[:fitted.shown]
    if pages > 1:
        rows.append(page_nav(services.content, "id", page, pages, lambda p: Callback("j", str(p)),
                             InlineKeyboardButton("🔄", callback_data=Callback("j", str(page)).encode())))
    return fitted.text, InlineKeyboardMarkup(rows)


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
    page = parse_int(cb.text, 0, SMALL_MAX) or 0      # the page it was pressed on
    text, markup = await listing(services, scope, services.roles.is_super(user.id), page)
    await edit_or_send(query, text, markup)


async def on_page(update: Update, context: SuaraContext, cb: Callback) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    roles = context.services.roles
    await acknowledge(query)
    text, markup = await listing(context.services, roles.scope(user.id, "jadwal"),
                                 roles.is_super(user.id), cb.number or 0)
    await edit_or_send(query, text, markup)


def register(app: Application) -> None:
    add_command(app, "jadwal", show)
    add_buttons(app, "J", "jadwal", on_button)
    add_buttons(app, "j", "jadwal", on_page)
