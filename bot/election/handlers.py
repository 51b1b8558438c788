"""/hitungmundur and /countdown."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.commands import COMMANDS
from bot.context import SuaraContext
from bot.election.countdown import countdown
from bot.replies import say


async def countdown_command(update: Update, context: SuaraContext) -> None:
    services = context.services
    state = countdown(services.content, services.clock.now(), context.lang)
    await say(update, context, state.message_key, **state.variables)


def register(app: Application) -> None:
    app.add_handler(CommandHandler(COMMANDS["countdown"], countdown_command))
