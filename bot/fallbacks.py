"""What the bot does with everything the features did not take: never silence, never a crash."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot import keyboards
from bot.account.tracking import addressed_to_bot
from bot.context import SuaraContext
from bot.replies import say, stale

log = logging.getLogger(__name__)


async def unsupported(update: Update, context: SuaraContext) -> None:
    """Stickers, photos, voice notes, documents...: say kindly that only text is understood."""
    if not addressed_to_bot(update, context.bot.username):
        return
    await say(update, context, "unsupported_media", keyboards.open_menu)


async def added_to_group(update: Update, context: SuaraContext) -> None:
    """Say once, when added to a group, how the bot behaves there."""
    message = update.effective_message
    if message is None or not any(m.id == context.bot.id for m in message.new_chat_members):
        return
    await say(update, context, "group_hint", bot_username=context.bot.username)


async def unknown_command(update: Update, context: SuaraContext) -> None:
    message = update.effective_message
    command = (message.text or "").split()[0] if message else ""
    if "@" in command and command.split("@", 1)[1].lower() != (context.bot.username or "").lower():
        return  # another bot's command in a group
    await say(update, context, "help", keyboards.open_menu, phase=context.services.content.timeline().phase)


async def on_error(update: object, context: SuaraContext) -> None:
    # No message text or user data in logs: the update id is enough to correlate.
    update_id = update.update_id if isinstance(update, Update) else None
    context.services.metrics.error(type(context.error).__name__)
    log.error("error while handling update %s: %r", update_id, context.error,
              exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await update.effective_chat.send_message(
                context.services.content.message("error", context.lang))
        except Exception:
            log.debug("could not send error notice")


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, added_to_group))
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, unsupported))
    app.add_handler(CallbackQueryHandler(stale))
    app.add_error_handler(on_error)
