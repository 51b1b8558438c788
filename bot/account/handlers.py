"""/bahasa and /language; /privasi (what is stored, why, how long); /datasaya (a copy of
everything stored about the user); /hapusdata (delete all of it). The last two only in a
private chat: in a group they would post someone's data for all to see, or put a delete button
where anyone can press it; there they answer with a line and a button to the private chat.
An official's records (approval requests, broadcasts, audit entries naming them) are part of
/datasaya; /hapusdata keeps them, as the office's legal record, and tells the official so."""

from __future__ import annotations

import html
import json
import logging

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.callbacks import decode
from bot.commands import COMMANDS
from bot.content.schema import LANGUAGES
from bot.context import SuaraContext
from bot.replies import acknowledge, edit_or_send, reply, say
from bot.storage.users import delete_user, export_user, official_records, set_language

log = logging.getLogger(__name__)


async def language(update: Update, context: SuaraContext) -> None:
    await say(update, context, "language_prompt", keyboards.languages)


async def privacy(update: Update, context: SuaraContext) -> None:
    settings = context.services.settings
    await say(update, context, "privacy", question_days=settings.question_retention_days,
              outcome_days=settings.outcome_retention_days)


def _in_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


def _to_private(context: SuaraContext, command: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The line (and a button to the bot's private chat) that replaces a personal answer in a
    group. `command`: a key of COMMANDS, named in the user's language."""
    content, lang = context.services.content, context.lang
    names = COMMANDS[command]
    text = content.message("private_only", lang,
                           command=f"/{names[0] if lang == 'id' else names[-1]}")
    username = context.bot.username
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(
        content.message("btn_open_private", lang), url=f"https://t.me/{username}")]]) \
        if username else None
    return text, markup


async def my_data(update: Update, context: SuaraContext) -> None:
    """Everything stored about the user, as JSON, in messages Telegram accepts (<= 4096)."""
    if update.effective_user is None:
        return
    if not _in_private(update):
        await reply(update, *_to_private(context, "mydata"))
        return
    found = await export_user(context.services.db, update.effective_user.id)
    if not found:
        await say(update, context, "my_data_none")
        return
    content, lang = context.services.content, context.lang
    dump = json.dumps(found, ensure_ascii=False, indent=1, default=str)
    # Split at line ends into parts that fit once wrapped in the message.
    room = 3500
    part = ""
    parts: list[str] = []
    for line in dump.splitlines(keepends=True):
        if len(html.escape(part + line)) > room and part:
            parts.append(part)
            part = ""
        part += line[:room]
    parts.append(part)
    for chunk in parts:
        await reply(update, content.message("my_data", lang, data=chunk))


# An official's (the console is Indonesian): what /hapusdata keeps, and why.
OFFICIAL_KEPT = ("ℹ️ <b>Sebagai petugas</b>: peran Anda, permintaan persetujuan yang Anda ajukan "
                 "atau putuskan, pengumuman yang Anda buat atau setujui, dan catatan audit "
                 "tindakan Anda <b>tidak</b> ikut dihapus: itu catatan resmi penyelenggara "
                 "pemilu yang wajib disimpan. /datasaya menampilkannya; peran dicabut oleh "
                 "super-admin (/petugas).")


async def _is_official(context: SuaraContext, user_id: int) -> bool:
    """An official now, or one whose actions are on record."""
    services = context.services
    return services.roles.is_official(user_id) or bool(
        await official_records(services.db, user_id))


async def delete_data(update: Update, context: SuaraContext) -> None:
    if not _in_private(update):
        await reply(update, *_to_private(context, "delete"))
        return
    await say(update, context, "delete_confirm", keyboards.confirm_delete,
              question_days=context.services.settings.question_retention_days)
    if update.effective_user is not None and await _is_official(context, update.effective_user.id):
        await reply(update, OFFICIAL_KEPT)


async def on_button(update: Update, context: SuaraContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    cb = decode(query.data)
    services = context.services
    content = services.content
    user_id = update.effective_user.id
    chat = update.effective_chat
    await acknowledge(query)
    if cb is not None and cb.kind == "l" and cb.arg in LANGUAGES:
        await set_language(services.db, user_id, cb.arg)
        context.lang = cb.arg
        await edit_or_send(query, content.message("language_set", cb.arg),
                           keyboards.main_menu(content, cb.arg))
        if chat is not None and chat.type == "private":
            # The command menu follows the chosen language in this chat.
            commands = [BotCommand(c.command, c.description)
                        for c in getattr(content.commands, cb.arg)]
            try:
                await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat.id))
            except TelegramError as exc:
                log.warning("could not set chat commands: %s", exc)
    elif cb is not None and cb.kind == "d" and not _in_private(update):
        # A delete button in a group (an old message, or forged): nothing is deleted there.
        await edit_or_send(query, *_to_private(context, "delete"))
    elif cb is not None and cb.kind == "d" and cb.arg == "y":
        deleted = await delete_user(services.db, user_id)
        services.recent_answers.forget(user_id)     # their questions, held for 👎 presses
        if chat is not None and chat.type == "private":
            try:
                await context.bot.delete_my_commands(scope=BotCommandScopeChat(chat.id))
            except TelegramError as exc:
                log.warning("could not reset chat commands: %s", exc)
        said = content.message("deleted" if deleted else "nothing_to_delete", context.lang)
        if await _is_official(context, user_id):
            said += "\n\n" + OFFICIAL_KEPT
        await edit_or_send(query, said)
    elif cb is not None and cb.kind == "d" and cb.arg == "n":
        await edit_or_send(query, content.message("delete_cancelled", context.lang))
    else:
        await edit_or_send(query, content.message("stale_button", context.lang),
                           keyboards.main_menu(content, context.lang))


def _pattern(data: object) -> bool:
    cb = decode(data if isinstance(data, str) else None)
    return cb is not None and cb.kind in {"l", "d"}


def register(app: Application) -> None:
    app.add_handler(CommandHandler(COMMANDS["language"], language))
    app.add_handler(CommandHandler(COMMANDS["delete"], delete_data))
    app.add_handler(CommandHandler(COMMANDS["privacy"], privacy))
    app.add_handler(CommandHandler(COMMANDS["mydata"], my_data))
    app.add_handler(CallbackQueryHandler(on_button, pattern=_pattern))
