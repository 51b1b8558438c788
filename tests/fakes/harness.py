"""Drive the real Application in-process, over the recording offline Bot API."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Update

from bot.broadcasts.sender import Sender
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.context import SuaraApplication
from bot.shell.botapi import Call, LocalBotApi, LocalRequest
from tests.fakes import updates

BOT_USERNAME = "suara_test_bot"


class Harness:
    def __init__(self, app: SuaraApplication, request: LocalRequest, clock: FixedClock) -> None:
        self.app, self.request, self.clock = app, request, clock
        self.api: LocalBotApi = request.api

    user = staticmethod(updates.user)

    async def _process(self, payload: dict[str, Any]) -> list[Call]:
        before = len(self.request.calls)
        update = Update.de_json(self.api.new_update(**payload), self.app.bot)
        await self.app.process_update(update)
        return self.request.calls[before:]

    async def text(self, text: str | None, *, user: dict[str, Any] | None = None,
                   chat: dict[str, Any] | None = None, edited: bool = False,
                   **extra: Any) -> list[Call]:
        user = user or self.user()
        key = "edited_message" if edited else "message"
        message = updates.message(self.api, text, user, chat, **extra)
        if edited:
            message["edit_date"] = int(time.time())
        return await self._process({key: message})

    async def media(self, kind: str, payload: dict[str, Any], *,
                    user: dict[str, Any] | None = None) -> list[Call]:
        user = user or self.user()
        return await self._process({"message": updates.message(self.api, None, user,
                                                               **{kind: payload})})

    async def location(self, lat: float, lon: float, *,
                       user: dict[str, Any] | None = None) -> list[Call]:
        return await self.media("location", {"latitude": lat, "longitude": lon}, user=user)

    async def press(self, data: str, *, message: dict[str, Any] | None = None,
                    user: dict[str, Any] | None = None) -> list[Call]:
        user = user or self.user()
        if message is None:
            message = self.last_message_with_keyboard(user["id"])
        return await self._process({"callback_query": updates.callback(data, user, message)})

    async def press_label(self, label: str, *, user: dict[str, Any] | None = None) -> list[Call]:
        user = user or self.user()
        message = self.last_message_with_keyboard(user["id"])
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if label in button["text"]:
                    return await self.press(button["callback_data"], message=message, user=user)
        raise AssertionError(f"no button containing {label!r} in {buttons(message)}")

    def last_message_with_keyboard(self, chat_id: int) -> dict[str, Any]:
        for (cid, _), message in sorted(self.api.messages.items(), reverse=True,
                                        key=lambda kv: kv[0][1]):
            if cid == chat_id and message.get("reply_markup"):
                return message
        raise AssertionError("no message with a keyboard")


def first(calls: list[Call], method: str) -> Call:
    """The first call of `method`; fails the test when there is none."""
    for call in calls:
        if call.method == method:
            return call
    raise AssertionError(f"no {method} among {[c.method for c in calls]}")


def texts(calls: list[Call], method: str | None = None) -> list[str]:
    return [c.params["text"] for c in calls
            if "text" in c.params and (method is None or c.method == method)]


def buttons(message_or_call: dict[str, Any] | Call) -> list[str]:
    data = message_or_call.params if isinstance(message_or_call, Call) else message_or_call
    markup = data.get("reply_markup") or {}
    if isinstance(markup, str):
        import json

        markup = json.loads(markup)
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


@asynccontextmanager
async def offline_bot(tmp_path: Path, content: Content, *, web: bool = False,
                      sender: Sender | None = None, **overrides: str) -> AsyncIterator[Harness]:
    """The real Application on the recording offline Bot API, with settings overrides (no
    model unless asked); `web`: also /healthz and /metrics on a free local port; `sender`:
    the delivery engine runs too, sending broadcasts through it."""
    from bot.app import build_application, close_offline, open_offline
    from bot.settings import load_settings
    from bot.web import WebServer
    from tests.conftest import DURING_CAMPAIGN, EMBEDDINGS_CACHE, TEST_TOKEN
    from tests.fakes.strict_api import StrictBotApi

    settings = load_settings(**{"BOT_TOKEN": TEST_TOKEN, "SEMANTIC_THREADS": "0",
                                "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
                                "CACHE_DIR": str(EMBEDDINGS_CACHE), **overrides})
    request = LocalRequest(StrictBotApi(username=BOT_USERNAME))
    app = build_application(settings, request=request, get_updates_request=request,
                            clock=FixedClock(DURING_CAMPAIGN), content=content,
                            broadcast_sender=sender)
    if web:
        app.services.http = WebServer(app, "127.0.0.1", 0)
    await open_offline(app)
    await app.services.semantic_ready.wait()   # deterministic: the answer model is ready
    try:
        yield Harness(app, request, FixedClock(DURING_CAMPAIGN))
    finally:
        await close_offline(app)
