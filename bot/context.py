"""The callback context every handler receives: typed services, the user and their language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.content.schema import DEFAULT_LANGUAGE, LANGUAGES
from bot.storage.users import User

if TYPE_CHECKING:
    from bot.services import Services


class SuaraApplication(Application):
    """PTB's Application, plus the services object (set once by build_application)."""

    __slots__ = ("services",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services: Services


class SuaraContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, application: Any, chat_id: int | None = None,
                 user_id: int | None = None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.user: User | None = None  # set by the first handler group for every update
        self.lang: str = DEFAULT_LANGUAGE

    @property
    def services(self) -> Services:
        app = self.application
        assert isinstance(app, SuaraApplication)
        return app.services


def language_from_telegram(code: str | None) -> str:
    """Telegram's language_code -> one of ours; anything not English reads Indonesian."""
    if code and code.lower().split("-")[0] in LANGUAGES:
        return code.lower().split("-")[0]
    return DEFAULT_LANGUAGE
