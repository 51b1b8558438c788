"""Small helpers for talking back to Telegram, shared by every feature."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

log = logging.getLogger(__name__)


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
    """Answer in the chat the update came from; in groups, as a reply to the message."""
    message = update.effective_message
    chat = update.effective_chat
    if chat is None:
        return None
    if message is not None and chat.type != "private":
        return await message.reply_text(text, reply_markup=markup, do_quote=True)
    return await chat.send_message(text, reply_markup=markup)


async def edit_or_send(query: CallbackQuery, text: str,
                       markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the message a button sits on; send a new one when it can no longer be edited."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
        return
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return
        log.info("could not edit message (%s); sending a new one", exc.message)
    if query.message is not None:
        await query.message.chat.send_message(text, reply_markup=markup)


async def acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    """Stop the button's spinner. A late answer is harmless, so its errors are not."""
    try:
        await query.answer(text)
    except BadRequest as exc:
        log.debug("callback answer failed: %s", exc.message)
