"""Admin commands exist only for those allowed: for anyone else (or in a group) the command
does not match, and falls through to the unknown-command answer every citizen gets."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import Callback, decode
from bot.context import SuaraApplication, SuaraContext
from bot.officials.roles import ADMIN_COMMANDS, Roles
from bot.replies import stale

Handler = Callable[[Update, SuaraContext], Coroutine[Any, Any, Any]]
CallbackHandler = Callable[[Update, SuaraContext, Callback], Coroutine[Any, Any, Any]]


class AllowedTo(filters.MessageFilter):
    """A private message from someone whose roles allow `command`."""

    def __init__(self, roles: Roles, command: str) -> None:
        super().__init__(name=f"AllowedTo({command})")
        self.roles, self.command = roles, command

    def filter(self, message: Message) -> bool:
        user = message.from_user
        return (message.chat.type == "private" and user is not None
                and self.roles.may(user.id, self.command))


def numbered(cb: Callback) -> tuple[int | None, str]:
    """Admin buttons carry "<id>:<choice>": the id and the choice, as decode() checked them
    (the id positive and bounded by its kind: a row id, or a Telegram user id)."""
    return cb.number, cb.choice


def roles_of(app: Application) -> Roles:
    assert isinstance(app, SuaraApplication)
    return app.services.roles


def add_command(app: Application, command: str, callback: Handler) -> None:
    app.add_handler(CommandHandler(ADMIN_COMMANDS[command], callback,
                                   filters=AllowedTo(roles_of(app), command)))


def add_buttons(app: Application, kind: str, command: str, callback: CallbackHandler) -> None:
    """Buttons of kind `kind`, acted on only for someone still allowed `command`; anyone else
    (a forged button, a role removed since) gets the stale-button answer."""
    roles = roles_of(app)

    async def guarded(update: Update, context: SuaraContext) -> None:
        query = update.callback_query
        cb = decode(query.data if query else None)
        user = update.effective_user
        chat = update.effective_chat
        if cb is None or user is None or chat is None or chat.type != "private" \
                or not roles.may(user.id, command):
            await stale(update, context)
            return
        await callback(update, context, cb)

    def matches(data: object) -> bool:
        cb = decode(data if isinstance(data, str) else None)
        return cb is not None and cb.kind == kind

    app.add_handler(CallbackQueryHandler(guarded, pattern=matches))
