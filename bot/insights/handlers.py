"""/statistik (/stats): one chart and a short summary, or `csv` for every aggregate;
/pertanyaan (/questions): what the bot could not answer, grouped, with marks
("1:Q:<group key>:h|o|n"). An official of one kabupaten/kota sees their region's only; the
whole deployment's /statistik also breaks down by region."""

from __future__ import annotations

import asyncio
import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application

from bot.callbacks import Callback
from bot.context import SuaraContext
from bot.insights.charts import render_png
from bot.insights.report import (
    LISTING_FRESH,
    RECENT_FOR_LISTING,
    gather,
    mark_key,
    question_groups,
    summary,
    to_csv,
    without_officials_ids,
)
from bot.listing import fit
from bot.officials.guard import add_buttons, add_command
from bot.officials.roles import actor
from bot.replies import acknowledge, edit_or_send
from bot.services import Services
from bot.storage.insights import mark_group
from bot.storage.officials import audit

MARKS = {"h": "handled", "o": "out_of_scope", "n": "needs_answer"}
MARK_NAMES = {"handled": "✅ ditangani", "out_of_scope": "🚫 di luar cakupan",
              "needs_answer": "❓ perlu jawaban"}
SHOWN = 8


async def statistics(update: Update, context: SuaraContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    services = context.services
    today = services.clock.now().astimezone(services.settings.tz).date()
    report = await gather(services.db, services.content, services.regions, today,
                          region=services.roles.scope(user.id, "statistik"))
    if not services.roles.is_super(user.id):     # who is an official is the super-admins' to know
        report = without_officials_ids(report)
    as_csv = (context.args or [""])[0].lower() == "csv"
    await audit(services.db, services.clock.now(), actor(user.id),
                "stats.csv" if as_csv else "stats.view", report.region)
    if as_csv:
        await message.reply_document(to_csv(report).encode(), filename=f"statistik-{today}.csv",
                                     caption="Statistik (hanya hitungan, tanpa data pribadi).")
        return
    png = await asyncio.to_thread(render_png, report)
    await message.reply_photo(png, caption=summary(report),
                              filename=f"statistik-{today}.png")


async def listing(services: Services, everything: bool = False, region: str | None = None
                  ) -> tuple[str, InlineKeyboardMarkup | None]:
    found = await question_groups(services.db, limit=RECENT_FOR_LISTING, region=region,
                                  fresh=LISTING_FRESH)
    groups = found.groups if everything else found.open()
    marks = found.marks
    if not groups:
        return "📭 Tidak ada pertanyaan tak terjawab yang menunggu.", None
    place = services.regions.place(region)
    head = (f"❓ <b>Pertanyaan yang belum bisa dijawab</b>"
            f"{f' di {html.escape(place.name)}' if place else ''} ({found.asked} pertanyaan, "
            f"{len(groups)} kelompok{'' if everything else ' terbuka'}; terbesar dulu)")
    items = []
    for i, g in enumerate(groups[:SHOWN], 1):
        mark = MARK_NAMES.get(marks.get(g.key, ""), "")
        # Each example cut before escaping, each group whole: never a split tag or entity.
        examples = " | ".join(html.escape(t[:80]) for t in g.top_examples(2))
        items.append(f"\n<b>{i}.</b> ×{g.count} {mark}\n<i>{examples}</i>")
    fitted = fit(head, items, total=len(groups), more=lambda n: f"\n… dan {n} kelompok lagi",
                 tail="\nTandai: ✅ ditangani · 🚫 di luar cakupan · ❓ perlu jawaban. Ekspor "
                      "semua: <code>python -m bot questions export</code> di server.")
    buttons = [[InlineKeyboardButton(f"{i} {name.split()[0]}", callback_data=Callback(
        "Q", f"{g.key}:{code}").encode()) for code, name in
        ((c, MARK_NAMES[m]) for c, m in MARKS.items())]
        for i, g in enumerate(groups[:fitted.shown], 1)]
    return fitted.text, InlineKeyboardMarkup(buttons)


async def questions(update: Update, context: SuaraContext) -> None:
    assert update.effective_chat is not None and update.effective_user is not None
    everything = (context.args or [""])[0].lower() in ("semua", "all")
    scope = context.services.roles.scope(update.effective_user.id, "pertanyaan")
    text, markup = await listing(context.services, everything, scope)
    await update.effective_chat.send_message(text, reply_markup=markup)


async def on_mark(update: Update, context: SuaraContext, cb: Callback) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    key, _, code = cb.arg.partition(":")
    status = MARKS.get(code)
    if status is None or not key:
        await acknowledge(query, "Tidak dikenal")
        return
    services = context.services
    now = services.clock.now()
    scope = services.roles.scope(user.id, "pertanyaan")
    stored = mark_key(key, scope)       # a region's officials mark their region's groups
    await mark_group(services.db, stored, status, actor(user.id), now)
    await audit(services.db, now, actor(user.id), "questions.mark", f"{stored}: {status}")
    await acknowledge(query, MARK_NAMES[status])
    text, markup = await listing(services, region=scope)
    await edit_or_send(query, text, markup)


def register(app: Application) -> None:
    add_command(app, "statistik", statistics)
    add_command(app, "pertanyaan", questions)
    add_buttons(app, "Q", "pertanyaan", on_mark)
