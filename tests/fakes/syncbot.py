"""One Application for a whole test module, driven from synchronous (hypothesis) tests, on the
strict offline Bot API."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.settings import load_settings
from bot.shell.botapi import Call, LocalRequest
from tests.conftest import DURING_CAMPAIGN, EMBEDDINGS_CACHE, TEST_TOKEN
from tests.fakes.harness import BOT_USERNAME, Harness
from tests.fakes.strict_api import StrictBotApi

ANSWERS = ("answerCallbackQuery", "sendMessage", "editMessageText", "editMessageReplyMarkup",
           "sendVenue", "sendPhoto", "sendDocument")


class SyncBot:
    def __init__(self, tmp: Path, content: Content, **overrides: str) -> None:
        self.loop = asyncio.Runner()
        config = load_settings(**{"BOT_TOKEN": TEST_TOKEN, "DATABASE_PATH": str(tmp / "h.sqlite3"),
                                  "CACHE_DIR": str(EMBEDDINGS_CACHE), "SEMANTIC_THREADS": "0",
                                  "FLOOD_LIMIT": "0", **overrides})
        self.request = LocalRequest(StrictBotApi(username=BOT_USERNAME))
        self.app = build_application(config, request=self.request,
                                     get_updates_request=self.request,
                                     clock=FixedClock(DURING_CAMPAIGN), content=content)
        self.loop.run(open_offline(self.app))
        self.h = Harness(self.app, self.request, FixedClock(DURING_CAMPAIGN))

    def run(self, coro: Any) -> Any:
        return self.loop.run(coro)

    def errors(self) -> int:
        """Updates whose handling raised, so far (the error handler counts each)."""
        return self.app.services.metrics.handler_errors()

    def refused(self, calls: list[Call] | None = None) -> list[tuple[str, str | None]]:
        return [(c.method, c.error) for c in (self.request.calls if calls is None else calls)
                if c.error and "not modified" not in c.error]

    def mark(self) -> tuple[int, int]:
        return len(self.request.calls), self.errors()

    def since(self, mark: tuple[int, int], replied: bool = True) -> list[Call]:
        """The Bot API calls since `mark`, checked: no handler raised (an error handler that
        answers politely would hide it), Telegram refused nothing, and when `replied`, the
        user got an answer (a button's answerCallbackQuery, a message, an edit)."""
        calls, errors = mark
        made = self.request.calls[calls:]
        assert self.errors() == errors, "a handler raised"
        assert self.refused(made) == []
        if replied:
            assert any(c.method in ANSWERS for c in made), [c.method for c in made]
        return made

    def close(self) -> None:
        self.loop.run(close_offline(self.app))
        self.loop.close()
