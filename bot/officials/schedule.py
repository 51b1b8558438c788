"""/jadwal (/schedule): scheduled, running, paused and held broadcasts, whoever started them
(Telegram, the CLI or the calendar), each with pause, resume and cancel buttons
("1:J:<broadcast id>:p|r|c:<page>"); a held one also with the approval request's own button.
Above them, the official's own requests from drafts still waiting for a second official, each
with a button to withdraw it ("1:P:<request id>:w:<page>", decisions.py).
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
from bot.listing import fit, more_line
from bot.officials.closing import sweep
from bot.officials.drafts import Draft
from bot.officials.guard import add_buttons, add_command, numbered
from bot.officials.launch import describe_content
from bot.officials.progress import STATE_NAMES
from bot.officials.roles import actor, shown_actor
from bot.replies import acknowledge, edit_or_send
from bot.services import Services
from bot.storage.approvals import pending_of
from bot.storage.broadcast_lists import list_open
from bot.storage.broadcasts import TRANSITIONS, get_broadcast, outcome_counts
from bot.storage.officials import control_broadcast, pending_for_broadcast
from bot.storage.schedule import pending_sends

ACTIONS = {"p": "pause", "r": "resume", "c": "cancel"}
LABELS = {"pause": "⏸ Jeda", "resume": "▶ Lanjut", "cancel": "✖ Batalkan"}


CALENDAR_SHOWN = 5
JADWAL_PAGE = 10          # broadcasts on one page (up to four buttons each)


async def listing(services: Services, scope: str | None = None, to_super: bool = False,
                  page: int = 0, requester: int | None = None
                  ) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of the open broadcasts within `scope`; whose Telegram id made one only
    `to_super`; above them, `requester`'s own requests from drafts still waiting for a second
    official, each with its withdraw button."""
    asked, asked_rows = await _waiting(services, requester, page)
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
        return "\n".join([*asked, "🗓 Tidak ada pengumuman yang terjadwal, berjalan atau dijeda.",
                          *calendar]), InlineKeyboardMarkup(asked_rows) if asked_rows else None
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
    fitted = fit("\n".join([*asked, f"🗓 <b>Pengumuman terjadwal dan berjalan</b>{where}"]),
                 items, tail="\n".join(calendar))
    rows = asked_rows + rows[:fitted.shown]
    if pages > 1:
        rows.append(page_nav(services.content, "id", page, pages, lambda p: Callback("j", str(p)),
                             InlineKeyboardButton("🔄", callback_data=Callback("j", str(page)).encode())))
    return fitted.text, InlineKeyboardMarkup(rows)


async def _waiting(services: Services, requester: int | None, page: int
                   ) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """The lines and buttons of the requester's own waiting requests (at most PENDING_SHOWN:
    a line each, so the page stays within Telegram's limits)."""
    waiting, total = await pending_of(services.db, requester) if requester is not None else ([], 0)
    if not waiting:
        return [], []
    lines = ["⏳ <b>Permintaan Anda yang menunggu persetujuan</b>"]
    for a in waiting:
        lines.append(escape(f"• Permintaan {a.id} · {describe_content(Draft.from_record(a.draft))}"
                            f" · {a.recipients} penerima · sejak "
                            f"{a.requested_at[:16].replace('T', ' ')} UTC"))
    if total > len(waiting):
        lines.append(more_line(total - len(waiting)))
    rows = [[InlineKeyboardButton(f"↩ Tarik permintaan {a.id}",
                                  callback_data=Callback("P", f"{a.id}:w:{page}").encode())]
            for a in waiting]
    return [*lines, ""], rows


async def show(update: Update, context: SuaraContext) -> None:
    assert update.effective_chat is not None and update.effective_user is not None
    roles = context.services.roles
    scope = roles.scope(update.effective_user.id, "jadwal")
    text, markup = await listing(context.services, scope, roles.is_super(update.effective_user.id),
                                 requester=update.effective_user.id)
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
        if action == "cancel":      # the requests it closed: their approvers' messages say so
            await sweep(context.bot, services, b.id)
    else:
        await acknowledge(query, f"#{b.id} sudah {STATE_NAMES.get(b.state, b.state)}")
    page = parse_int(cb.text, 0, SMALL_MAX) or 0      # the page it was pressed on
    text, markup = await listing(services, scope, services.roles.is_super(user.id), page,
                                 requester=user.id)
    await edit_or_send(query, text, markup)


async def on_page(update: Update, context: SuaraContext, cb: Callback) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    roles = context.services.roles
    await acknowledge(query)
    text, markup = await listing(context.services, roles.scope(user.id, "jadwal"),
                                 roles.is_super(user.id), cb.number or 0, requester=user.id)
    await edit_or_send(query, text, markup)


def register(app: Application) -> None:
    add_command(app, "jadwal", show)
    add_buttons(app, "J", "jadwal", on_button)
    add_buttons(app, "j", "jadwal", on_page)
