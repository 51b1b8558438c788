"""The lean replies send what PTB's own methods send, and fail as they fail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Defaults
from telegram.request import BaseRequest, RequestData

from bot.leanbot import Sent, SuaraBot

MESSAGE = {"message_id": 77, "date": 1_700_000_000, "text": "hai",
           "chat": {"id": 42, "type": "private", "first_name": "Sari"},
           "from": {"id": 1, "is_bot": True, "first_name": "Suara"},
           "reply_markup": {"inline_keyboard": [[{"text": "Menu", "callback_data": "1:m"}]]}}


class Recorder(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answer: tuple[int, dict[str, Any]] = (200, {"ok": True, "result": MESSAGE})

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None) -> tuple[int, bytes]:
        params = json.loads(json.dumps(request_data.parameters if request_data else {}))
        self.calls.append((url.rsplit("/", 1)[-1], params))
        status, body = self.answer
        return status, json.dumps(body).encode()


def bot() -> tuple[SuaraBot, Recorder]:
    request = Recorder()
    defaults = Defaults(parse_mode=ParseMode.HTML,
                        link_preview_options=LinkPreviewOptions(is_disabled=True))
    return SuaraBot("123:abc", defaults=defaults, request=request,
                    get_updates_request=request), request


MARKUP = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="1:f:y:e1"),
                                InlineKeyboardButton("Tidak", callback_data="1:f:n:e1")],
                               [InlineKeyboardButton("Menu", callback_data="1:m")]])


@pytest.mark.parametrize("markup", [MARKUP, None])
async def test_send_text_sends_what_send_message_sends(markup: InlineKeyboardMarkup | None) -> None:
    b, request = bot()
    message = await b.send_message(42, "<b>hai</b> & https://kpu.go.id", reply_markup=markup)
    sent = await b.send_text(42, "<b>hai</b> & https://kpu.go.id", markup)
    (ptb_method, ptb), (lean_method, lean) = request.calls
    assert ptb_method == lean_method == "sendMessage"
    assert lean == ptb
    assert lean["parse_mode"] == "HTML" and lean["link_preview_options"] == {"is_disabled": True}
    assert sent == Sent(message.chat_id, message.message_id) == Sent(42, 77)


async def test_edit_text_sends_what_edit_message_text_sends() -> None:
    b, request = bot()
    await b.edit_message_text("baru", chat_id=42, message_id=77, reply_markup=MARKUP,
                              business_connection_id=None)
    await b.edit_text(42, 77, "baru", MARKUP)
    (ptb_method, ptb), (lean_method, lean) = request.calls
    assert ptb_method == lean_method == "editMessageText"
    assert lean == ptb and lean["reply_markup"]["inline_keyboard"][1][0]["callback_data"] == "1:m"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter's
@pytest.mark.parametrize(("status", "body", "error"), [
    (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
     Forbidden),
    (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3",
           "parameters": {"retry_after": 3}}, RetryAfter),
    (400, {"ok": False, "error_code": 400,
           "description": "Bad Request: message is not modified"}, BadRequest),
])
async def test_errors_are_ptbs(status: int, body: dict[str, Any], error: type[TelegramError]) -> None:
    b, request = bot()
    request.answer = (status, body)
    with pytest.raises(error) as ptb:
        await b.send_message(42, "hai")
    with pytest.raises(error) as lean:
        await b.send_text(42, "hai")
    with pytest.raises(error):
        await b.edit_text(42, 77, "hai")
    assert lean.value.message == ptb.value.message


async def test_a_keyboard_is_read_once_and_each_request_gets_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    b, request = bot()
    read: list[object] = []
    to_dict = InlineKeyboardMarkup.to_dict

    def counted(self: InlineKeyboardMarkup, recursive: bool = True) -> dict[str, Any]:
        read.append(self)
        return to_dict(self, recursive)

    monkeypatch.setattr(InlineKeyboardMarkup, "to_dict", counted)
    await b.send_text(42, "a", MARKUP)
    await b.edit_text(42, 77, "b", MARKUP)
    assert request.calls[0][1]["reply_markup"] == request.calls[1][1]["reply_markup"]
    first, second = [b._markup(MARKUP) for _ in range(2)]
    assert first == second == to_dict(MARKUP) and first is not second
    assert read == [MARKUP]
    other = InlineKeyboardMarkup([[InlineKeyboardButton("Lain", callback_data="1:m")]])
    assert b._markup(other) == to_dict(other) and read == [MARKUP, other]
