"""Menu, answers and free-text questions."""

from __future__ import annotations

import re
from collections import Counter

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import keyboards
from bot.account.tracking import addressed_to_bot
from bot.commands import COMMANDS
from bot.content.registry import Content
from bot.context import SuaraContext
from bot.faq.normalize import detect_language
from bot.keyboards import decode
from bot.regions.handlers import answer_place
from bot.replies import acknowledge, edit_or_send, reply, say, stale
from bot.storage.questions import purge_unanswered, record_unanswered
from bot.storage.users import set_campaign_if_unset

MAX_QUESTION_CHARS = 500
CAMPAIGN_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)
# Long digit runs are NIKs, phone or account numbers: never stored.
LONG_NUMBER = re.compile(r"\d[\d .-]{5,}\d")
NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
EMAIL = re.compile(r"\S+@\S+\.\S+")


def redact(text: str) -> str:
    return EMAIL.sub("[email]", LONG_NUMBER.sub("[angka]", text))


async def start(update: Update, context: SuaraContext) -> None:
    if context.args and context.user is not None:
        code = context.args[0]
        # A bad code is ignored silently: it is a link's problem, not the citizen's.
        if CAMPAIGN_CODE.fullmatch(code):
            await set_campaign_if_unset(context.services.db, context.user.user_id, code)
    first_name = update.effective_user.first_name if update.effective_user else ""
    await say(update, context, "start", keyboards.main_menu, first_name=first_name)


async def menu(update: Update, context: SuaraContext) -> None:
    await say(update, context, "menu", keyboards.main_menu)


async def help_command(update: Update, context: SuaraContext) -> None:
    await say(update, context, "help", keyboards.open_menu)


def most_cited_sources(content: Content, limit: int = 12) -> list[dict[str, str]]:
    counts = Counter(s for e in content.entries.values() for s in e.entry.sources)
    return content.source_list([sid for sid, _ in counts.most_common(limit)])


async def sources(update: Update, context: SuaraContext) -> None:
    await say(update, context, "sources", sources=most_cited_sources(context.services.content))


async def on_menu_button(update: Update, context: SuaraContext) -> None:
    query = update.callback_query
    assert query is not None
    cb = decode(query.data)
    content = context.services.content
    lang = context.lang
    if cb is None:
        await stale(update, context)
        return
    if cb.kind == "m":
        await acknowledge(query)
        await edit_or_send(query, content.message("menu", lang), keyboards.main_menu(content, lang))
    elif cb.kind == "t" and cb.arg in content.topics:
        await acknowledge(query)
        topic = content.topics[cb.arg]
        await edit_or_send(query, content.message("topic", lang, topic_title=topic.title(lang),
                                                  emoji=topic.emoji),
                           keyboards.topic_menu(content, cb.arg, lang))
    elif cb.kind == "e" and cb.arg in content.entries:
        await acknowledge(query)
        await edit_or_send(query, content.answer(cb.arg, lang),
                           keyboards.answer_keyboard(content, cb.arg, lang, from_menu=True))
    else:
        await stale(update, context)


def question_text(update: Update, bot_username: str | None) -> str:
    message = update.effective_message
    text = (message.text if message else None) or ""
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE)
    return text.strip()


async def answer_question(update: Update, context: SuaraContext) -> None:
    if not addressed_to_bot(update, context.bot.username):
        return
    services = context.services
    content = services.content
    text = question_text(update, context.bot.username)
    lang = context.lang
    if len(text) > MAX_QUESTION_CHARS:
        await say(update, context, "too_long", limit=MAX_QUESTION_CHARS)
        return
    if not HAS_WORD.search(text):
        await say(update, context, "no_text", keyboards.open_menu)
        return
    # A question in English is answered in English, whatever the saved language.
    lang = context.lang = detect_language(services.matcher.normalizer, text) or lang
    if NIK.search(text):
        await say(update, context, "nik_warning")
    place = content.regions.find_place(text)
    if place.is_place_question:
        await answer_place(update, context, place)
        return
    match = services.matcher.match(text)
    if match.kind == "answer":
        entry_id = match.entry_ids[0]
        await reply(update, content.answer(entry_id, lang),
                    keyboards.answer_keyboard(content, entry_id, lang, from_menu=False))
    elif match.kind == "suggest":
        await reply(update, content.message("suggestions", lang),
                    keyboards.suggestions(content, match.entry_ids, lang))
    else:
        await say(update, context, "fallback", keyboards.open_menu)
        now = services.clock.now()
        await record_unanswered(services.db, redact(text), lang, now)
        await purge_unanswered(services.db, now)


def register(app: Application) -> None:
    app.add_handler(CommandHandler(COMMANDS["start"], start))
    app.add_handler(CommandHandler(COMMANDS["menu"], menu))
    app.add_handler(CommandHandler(COMMANDS["help"], help_command))
    app.add_handler(CommandHandler(COMMANDS["sources"], sources))
    app.add_handler(CallbackQueryHandler(on_menu_button, pattern=_menu_pattern))
    app.add_handler(MessageHandler(
        # Edited questions are answered again, like new ones.
        filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND, answer_question))


def _menu_pattern(data: object) -> bool:
    cb = decode(data if isinstance(data, str) else None)
    return cb is not None and cb.kind in {"m", "t", "e"}

