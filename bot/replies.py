"""Small helpers for talking back to Telegram, shared by every feature."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot import keyboards
from bot.content.registry import Content
from bot.context import SuaraContext
from bot.leanbot import Sent, SuaraBot

KeyboardBuilder = Callable[[Content, str], InlineKeyboardMarkup]

log = logging.getLogger(__name__)


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Sent | None:
    """Answer in the chat the update came from; in groups, as a reply to the message."""
    message = update.effective_message
    chat = update.effective_chat
    if chat is None:
        return None
    if message is not None and chat.type != "private":
        sent = await message.reply_text(text, reply_markup=markup, do_quote=True)
        return Sent(sent.chat_id, sent.message_id)
    bot = update.get_bot()
    if isinstance(bot, SuaraBot):       # the answer's ids, not a Message (leanbot.py)
        return await bot.send_text(chat.id, text, markup)
    sent = await chat.send_message(text, reply_markup=markup)
    return Sent(sent.chat_id, sent.message_id)


async def say(update: Update, context: SuaraContext, key: str,
              keyboard: KeyboardBuilder | None = None, **variables: Any) -> Sent | None:
    """Reply with the content message `key` in the user's language (and a content keyboard)."""
    content, lang = context.services.content, context.lang
    markup = keyboard(content, lang) if keyboard is not None else None
    return await reply(update, content.message(key, lang, **variables), markup)


async def edit_or_send(query: CallbackQuery, text: str,
                       markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the message a button sits on; send a new one when it can no longer be edited."""
    message, bot = query.message, query.get_bot()
    try:
        if isinstance(bot, SuaraBot) and isinstance(message, Message) \
                and not query.inline_message_id:   # as edit_message_text, without the Message
            await bot.edit_text(message.chat_id, message.message_id, text, markup,
                                message.business_connection_id)
        else:
            await query.edit_message_text(text, reply_markup=markup)
        return
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return
        log.info("could not edit message (%s); sending a new one", exc.message)
    if query.message is not None:
        await query.message.chat.send_message(text, reply_markup=markup)


async def acknowledge(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    """Stop the button's spinner (with `alert`, a notice the user closes). A late answer is
    harmless, so its errors are not."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:
        log.debug("callback answer failed: %s", exc.message)


async def stale(update: Update, context: SuaraContext) -> None:
    """A button from an older menu (restart, content change): refresh, never an error."""
    query = update.callback_query
    assert query is not None
    content = context.services.content
    await acknowledge(query)
    await edit_or_send(query, content.message("stale_button", context.lang),
                       keyboards.main_menu(content, context.lang))


async def decline(update: Update, context: SuaraContext) -> None:
    """Outside what the bot covers (or an attempt to make it leave its job): counted as
    declined, and one polite reply that says what the bot is for, never an echo."""
    services = context.services
    services.stats.count(services.clock.now(), "declined", context.user, context.lang)
    await say(update, context, "out_of_scope", keyboards.open_menu)
