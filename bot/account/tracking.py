"""Runs first for every update: record the user (minimally) and settle the reply language."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import SuaraContext, language_from_telegram
from bot.storage.db import DatabaseError, DatabaseUnavailable
from bot.storage.users import touch_user

log = logging.getLogger(__name__)


def addressed_to_bot(update: Update, bot_username: str | None) -> bool:
    """In a group only commands, mentions and replies to the bot concern us."""
    chat = update.effective_chat
    if update.callback_query is not None or chat is None or chat.type == "private":
        return True
    message = update.effective_message
    if message is None or not message.text:
        return False
    if message.text.startswith("/"):
        return True
    if bot_username and f"@{bot_username}".lower() in message.text.lower():
        return True
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.username == bot_username)


async def track_user(update: Update, context: SuaraContext) -> None:
    tg_user = update.effective_user
    context.lang = language_from_telegram(tg_user.language_code if tg_user else None)
    if tg_user is None or tg_user.is_bot or not addressed_to_bot(update, context.bot.username):
        return
    services = context.services
    try:
        context.user = await touch_user(services.db, tg_user.id, context.lang,
                                        services.clock.now())
    except DatabaseError as exc:
        # A full disk or a locked database must not cost the citizen the answer: answer
        # without the stored settings, and report it (logs, /metrics; /readyz reads the
        # database state itself).
        services.metrics.error(type(exc).__name__)
        # Refused at once after a failed write: that failure was logged, not each refusal.
        level = logging.DEBUG if isinstance(exc, DatabaseUnavailable) else logging.WARNING
        log.log(level, "could not record the user (%s); answering anyway", type(exc).__name__)
        return
    context.lang = context.user.language
