"""The offline Bot API with the tests' own, independent checks of message text."""

from __future__ import annotations

from typing import Any

from bot.shell.botapi import ApiError, LocalBotApi
from tests.fakes import telegram_html


class StrictBotApi(LocalBotApi):
    def check_text(self, text: Any, parse_mode: Any) -> str:
        problem = telegram_html.problem(text, parse_mode)
        if problem:
            raise ApiError(400, problem)
        return str(text)

    def _caption(self, params: dict[str, Any]) -> str | None:
        caption = params.get("caption")
        if caption is None or caption == "":
            return caption
        found = telegram_html.problem(caption, params.get("parse_mode"), telegram_html.MAX_CAPTION)
        if found:
            raise ApiError(400, found.replace("can't parse entities", "can't parse entities in "
                                              "the caption"))
        return str(caption)
