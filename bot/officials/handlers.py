"""The officials' console, in handler order (registered first in group 0, so that a draft
waiting for its text takes the official's next message before the question router)."""

from __future__ import annotations

from telegram.ext import Application

from bot.officials import announce, decisions, progress, schedule, staff


def register(app: Application) -> None:
    staff.register(app)
    announce.register(app)
    progress.register(app)     # after announce: it keeps the drafts' sessions
    decisions.register(app)
    schedule.register(app)
