"""/langganan /subscribe, /berhenti /unsubscribe, topic choices, one-tap unsubscribe. In a
province or national deployment, /langganan first asks a citizen whose region is unknown for
their kabupaten/kota (broadcasts may target it), then subscribes as before."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.callbacks import Callback, decode
from bot.commands import COMMANDS
from bot.content.model import Content
from bot.context import SuaraContext
from bot.faq.regional import save_region, saved_region
from bot.keyboards import SUBSCRIBE
from bot.regions.picker import picker_view
from bot.regions.typed import kabupaten_named
from bot.regions.waiting import wait_for_place, waiting_for
from bot.replies import acknowledge, edit_or_send, reply, say, stale
from bot.storage.subscriptions import drop_topic, get_subscription, set_topic, subscribe, unsubscribe


def offered_topics(content: Content) -> list[str]:
    """The topics on offer today, in menu order: a topic's `phases` (subscription_topics.yaml)
    say when it still applies (the countdown ends with voting day)."""
    phase = content.timeline().phase
    return [tid for tid, t in content.subscription_topics.items()
            if t.phases is None or phase in t.phases]


def _notice(content: Content, key: str, lang: str) -> str:
    return html.unescape(content.message(key, lang))   # a press's answer is plain text


async def _confirm(update: Update, context: SuaraContext, topics: frozenset[str],
                   edit: bool = False) -> None:
    """What the subscriber will get (only topics on offer), with the topic buttons."""
    settings, content, lang = context.services.settings, context.services.content, context.lang
    offered = offered_topics(content)
    text = content.message("subscribed", lang, daily_cap=settings.daily_cap, quiet=settings.quiet_hours,
                           topics=content.subscription_topic_list(lang, topics & frozenset(offered)))
    markup = keyboards.subscription(content, lang, topics, offered)
    if edit and update.callback_query is not None:
        await edit_or_send(update.callback_query, text, markup)
    else:
        await reply(update, text, markup)


async def subscribe_command(update: Update, context: SuaraContext) -> None:
    if context.user is None:
        return
    services = context.services
    if services.content.is_province and saved_region(context) is None:
        # Several regions, this citizen's unknown: broadcasts can be regional, so ask first.
        text, markup = picker_view(context, SUBSCRIBE)
        await wait_for_place(context, SUBSCRIBE)    # a name typed in reply answers it too
        await reply(update, text, markup)
        return
    # An active subscriber keeps the topics they chose (storage.subscribe).
    sub, started = await subscribe(services.db, context.user.user_id, services.clock.now(),
                                   offered_topics(services.content))
    if started:
        services.stats.count(services.clock.now(), "subscribed", context.user, context.lang)
    await _confirm(update, context, sub.topics)


def _choices(codes: list[str], names: list[str]) -> InlineKeyboardMarkup:
    """A kabupaten and a kota of one name: each saves it, then subscribes (the picker's "R")."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(name, callback_data=Callback("R", code).encode())]
                                 for code, name in zip(codes, names, strict=True)])


async def answer_typed_region(update: Update, context: SuaraContext, text: str) -> bool:
    """A kabupaten/kota's name typed in reply to /langganan's "where do you vote?" ("plg",
    "saya di muara enim", "nyoblos di lahat"): as its button, saved, then subscribed; a name
    both a kabupaten's and a kota's offers both buttons. False when /langganan does not wait
    (or no longer: regions/waiting.PLACE_WAIT), or the text is no such name."""
    chat = update.effective_chat
    if chat is None or chat.type != "private" or waiting_for(context) != SUBSCRIBE:
        return False
    content, lang = context.services.content, context.lang
    codes = [c for c in kabupaten_named(context, text, asked=True) if content.covers(c)]
    if len(codes) > 1:
        names = [content.for_region(c).election.region.name for c in codes]
        await reply(update, content.message("region_which", lang, regions=names),
                    _choices(codes, names))
        return True
    if not codes:
        return False
    await save_region(context, codes[0])        # nothing waits any more
    name = content.for_region(codes[0]).election.region.name
    await reply(update, content.message("region_set", lang, region=name))
    await subscribe_command(update, context)
    return True


async def unsubscribe_command(update: Update, context: SuaraContext) -> None:
    if context.user is None:
        return
    done = await unsubscribe(context.services.db, context.user.user_id)
    if done:
        context.services.stats.count(context.services.clock.now(), "unsubscribed",
                                     context.user, context.lang)
    await say(update, context, "unsubscribed" if done else "not_subscribed",
              phase=context.services.content.timeline().phase)


async def on_button(update: Update, context: SuaraContext) -> None:
    query = update.callback_query
    assert query is not None
    cb = decode(query.data)
    if cb is None or context.user is None:
        await stale(update, context)
        return
    services = context.services
    content, lang = services.content, context.lang
    user_id = context.user.user_id
    if cb.kind == "S":
        await acknowledge(query)
        await subscribe_command(update, context)
    elif cb.kind == "R" and content.covers(cb.text):    # the region asked for, then on
        await save_region(context, cb.text)
        name = content.for_region(cb.text).election.region.name
        await acknowledge(query, html.unescape(content.message("region_set", lang, region=name)))
        await subscribe_command(update, context)
    elif cb.kind == "u":
        done = await unsubscribe(services.db, user_id)
        if done:
            services.stats.count(services.clock.now(), "unsubscribed", context.user, lang)
        await acknowledge(query)
        await say(update, context, "unsubscribed" if done else "not_subscribed",
                  phase=content.timeline().phase)
    elif cb.kind == "T" and cb.arg in offered_topics(content):
        sub = await get_subscription(services.db, user_id)
        if sub is None or not sub.active:
            # An old message's button: consent is /langganan, never a toggle (UU 27/2022).
            await acknowledge(query, _notice(content, "topic_not_subscribed", lang), alert=True)
            return
        # One chat's updates run one at a time (ordering.py): the topics are these now.
        if cb.arg not in sub.topics:
            await set_topic(services.db, user_id, cb.arg, True)
            topics = sub.topics | {cb.arg}
        elif await drop_topic(services.db, user_id, cb.arg, offered_topics(content)):
            topics = sub.topics - {cb.arg}
        else:
            await acknowledge(query, _notice(content, "topic_last", lang), alert=True)
            return
        await acknowledge(query)
        await _confirm(update, context, topics, edit=True)
    else:
        await stale(update, context)


def _pattern(data: object) -> bool:
    cb = decode(data if isinstance(data, str) else None)
    return cb is not None and cb.kind in {"S", "R", "u", "T"}


def register(app: Application) -> None:
    app.add_handler(CommandHandler(COMMANDS["subscribe"], subscribe_command))
    app.add_handler(CommandHandler(COMMANDS["unsubscribe"], unsubscribe_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=_pattern))
