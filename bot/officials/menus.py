"""Officials see their commands in their own command menu (BotCommandScopeChat); citizens'
menu never lists them."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import Application

from bot.content.registry import Content
from bot.context import SuaraApplication
from bot.officials.roles import ADMIN_COMMANDS, Roles

log = logging.getLogger(__name__)

DESCRIPTIONS = {
    "statistik": "Statistik pemakaian bot (grafik, CSV)",
    "pertanyaan": "Pertanyaan warga yang belum terjawab",
    "umumkan": "Buat pengumuman untuk pelanggan",
    "jadwal": "Pengumuman terjadwal dan berjalan",
    "kampanye": "Tautan kampanye, poster QR, hasilnya",
    "petugas": "Atur petugas dan perannya",
    "audit": "Log audit tindakan petugas",
}


async def set_official_menu(bot: Bot, content: Content, roles: Roles, user_id: int) -> None:
    """The citizen menu plus the commands this official may use; removed when they hold none."""
    scope = BotCommandScopeChat(user_id)
    try:
        allowed = roles.commands_for(user_id)
        if not allowed:
            await bot.delete_my_commands(scope=scope)
            return
        commands = [BotCommand(c.command, c.description) for c in content.commands.id]
        commands += [BotCommand(ADMIN_COMMANDS[c][0], DESCRIPTIONS[c]) for c in allowed]
        await bot.set_my_commands(commands[:100], scope=scope)
    except TelegramError as exc:    # e.g. an official who has not opened the bot yet
        log.info("command menu for an official not set: %s", exc)


async def register_official_menus(app: Application) -> None:
    assert isinstance(app, SuaraApplication)
    services = app.services
    for user_id in services.roles.officials():
        await set_official_menu(app.bot, services.content, services.roles, user_id)
