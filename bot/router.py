"""Free text, routed in one place: the order of "is it for the bot, can it be read, is it
about another place or election, is it a place, is it a question" is visible here, and the
features it hands over to (regions for places, faq for questions) never call each other.
"""

from __future__ import annotations

import dataclasses
import re
import time
import unicodedata

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot import keyboards
from bot.account.tracking import addressed_to_bot
from bot.broadcasts.handlers import answer_typed_region as answer_subscribe_region
from bot.context import SuaraContext
from bot.faq.claims import asks_if_true
from bot.faq.forwards import strip_forward
from bot.faq.handlers import answer_question
from bot.faq.language import detect_language
from bot.faq.regional import answer_place_for_question, answer_typed_region
from bot.redaction import looks_like_nik
from bot.regions.handlers import answer_place
from bot.regions.names import elsewhere_alone
from bot.regions.typed import answer_kabupaten_name
from bot.regions.waiting import passed_over, waiting_for
from bot.replies import decline, say
from bot.storage.db import DatabaseError
from bot.storage.users import follow_typed_language

MAX_QUESTION_CHARS = 500
# A forward was written for others (a chain, a hoax to check): read whole, up to what Telegram
# lets a message carry. The work stays bounded: under 40 ms on the loop at 4,000 characters
# (keywords, places, claims, normalising, the first stage; profiled through the Application),
# the sentence model reading 150 of them.
MAX_FORWARD_CHARS = 4096
HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def other_script(text: str) -> bool:
    """Written mostly in a script other than the Latin one (Arabic, Chinese, Japanese, Thai,
    Cyrillic...): a language the bot cannot read, Indonesian and English being written in Latin
    letters. A Latin word or two in it (a place, "KPU") does not make it readable."""
    letters = LETTER.findall(text)
    latin = sum(1 for ch in letters if ch.isascii() or unicodedata.name(ch, "").startswith("LATIN"))
    return len(letters) >= 2 and latin * 2 < len(letters)


def question_text(update: Update, bot_username: str | None) -> str:
    message = update.effective_message
    text = (message.text if message else None) or ""
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE)
    return text.strip()


async def on_text(update: Update, context: SuaraContext) -> None:
    if not addressed_to_bot(update, context.bot.username):
        return
    started = time.perf_counter()
    outcome = await _route(update, context)
    metrics = context.services.metrics
    metrics.answers.labels(outcome).inc()
    metrics.answer_seconds.observe(time.perf_counter() - started)


async def _route(update: Update, context: SuaraContext) -> str:
    """Answer one free-text message; returns what it got, for the metrics."""
    services = context.services
    text, headed = strip_forward(question_text(update, context.bot.username))
    message = update.effective_message
    # Forwarded, or asking whether something is true: a claim to check.
    forwarded = headed or bool(message and message.forward_origin)
    claim = forwarded or asks_if_true(text)
    if len(text) > (MAX_FORWARD_CHARS if forwarded else MAX_QUESTION_CHARS):
        await say(update, context, "too_long", limit=MAX_QUESTION_CHARS)
        return "too_long"
    if not HAS_WORD.search(text):
        await say(update, context, "no_text", keyboards.open_menu)
        return "no_words"
    if other_script(text):
        await say(update, context, "other_script", keyboards.open_menu)
        return "other_script"
    # A question in English is answered in English, whatever the saved language; and where the
    # user did not choose one, it becomes theirs (its buttons and menus follow).
    typed = detect_language(services.matcher.normalizer, text)
    user = context.user
    if typed and user is not None and typed != user.language and not user.language_chosen:
        try:
            await follow_typed_language(services.db, user.user_id, typed)
            context.user = dataclasses.replace(user, language=typed, language_set=True)
        except DatabaseError as exc:   # a full disk must not cost the answer; kept next time
            services.metrics.error(type(exc).__name__)
    context.lang = typed or context.lang
    if looks_like_nik(text):
        await say(update, context, "nik_warning")
    # A question waited for the asker's region, and this names one ("plg", "muaro enim").
    if await answer_typed_region(update, context, text):
        return "region"
    # /langganan asked "where do you vote?" and this names a region: saved, then subscribed.
    if await answer_subscribe_region(update, context, text):
        return "region"
    # Only a kabupaten/kota's name ("banyuasin", "plg"): that region, before its namesakes; a
    # question naming one ("nyoblos di plg") is answered for it below, moving nobody, unless
    # the bot asked for the place (a waiting question, /wilayah): then it is the reply.
    waiting = waiting_for(context) is not None
    if await answer_kabupaten_name(update, context, text, asked=waiting):
        return "region"
    await passed_over(context)      # what /langganan or /wilayah asked goes unanswered
    if services.matcher.out_of_scope(text):
        await decline(update, context)
        return "out_of_scope"
    place = services.regions.find_place(text, services.matcher.normalizer.known_words)
    if place.is_place_question:
        # A place named in answer to "where do you vote?" answers the waiting question.
        if await answer_place_for_question(update, context, place):
            return "region"
        await answer_place(update, context, place)
        return "place"
    # Only a place the deployment does not cover ("bandung", "saya di jakarta"; "nyoblos di
    # bandung" in reply to /wilayah): said to be outside, not read as a question.
    scope = services.content.scope
    if scope is not None and elsewhere_alone(text, scope.elsewhere, asked=waiting):
        await decline(update, context)
        return "out_of_scope"
    return await answer_question(update, context, text, claim=claim)


def register(app: Application) -> None:
    # Edited questions are answered again, like new ones.
    app.add_handler(MessageHandler(
        filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND, on_text))
