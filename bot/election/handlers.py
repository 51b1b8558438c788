"""/hitungmundur and /countdown."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.commands import COMMANDS
from bot.context import SuaraContext
from bot.election.countdown import countdown
from bot.faq.regional import saved_region
from bot.replies import say


async def countdown_command(update: Update, context: SuaraContext) -> None:
    """The election's stages as the citizen's region reads them (its layer's own milestones),
    or the shared ones when the region is unknown."""
    services = context.services
    code = saved_region(context) if services.content.is_province else None
    content = services.content.for_region(code) if code else services.content
    state = countdown(content, services.clock.now(), context.lang)
    await say(update, context, state.message_key, **state.variables)


def register(app: Application) -> None:
    app.add_handler(CommandHandler(COMMANDS["countdown"], countdown_command))
