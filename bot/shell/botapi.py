"""A small, strict emulator of the Telegram Bot API methods Suara uses.

It answers the way Telegram does (same JSON shapes, same 400 errors for over-long text,
unparsable HTML, callback data over 64 bytes, or an edit that changes nothing), so the same
application code runs against it in the terminal shell and in tests with no network.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from telegram.request import BaseRequest, RequestData

from bot.content.render import TELEGRAM_MAX_TEXT, html_problem, telegram_length
from bot.shell.uploads import JSON, ApiError, Uploads


@dataclass
class Call:
    method: str
    params: JSON
    at: float = field(default_factory=time.monotonic)
    error: str | None = None  # the Bot API's description when it refused the call
    done: float = 0.0         # when the answer was ready (fake HTTP server; after any delay)


class LocalBotApi(Uploads):
    """Bot API state: the bot, chats it has seen, messages it sent, updates waiting for it."""

    def __init__(self, bot_id: int = 7000000001, username: str = "suara_test_bot") -> None:
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "Suara",
                         "username": username, "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.chats: dict[int, JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.commands: dict[str, list[JSON]] = {}
        self.webhook: JSON | None = None
        self.updates: list[JSON] = []
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(1)

    # -- helpers for drivers (shell, tests) ------------------------------------------------

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def remember_chat(self, chat: JSON) -> None:
        self.chats[chat["id"]] = chat

    def new_update(self, **payload: Any) -> JSON:
        update = {"update_id": next(self._update_ids), **payload}
        for key in ("message", "edited_message", "callback_query"):
            if key in payload:
                msg = payload[key].get("message", payload[key]) if key == "callback_query" \
                    else payload[key]
                if "chat" in msg:
                    self.remember_chat(msg["chat"])
        self.updates.append(update)
        return update

    # -- the API ---------------------------------------------------------------------------

    def call(self, method: str, params: JSON) -> Any:
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return handler(params)

    def _chat(self, chat_id: Any) -> JSON:
        try:
            cid = int(chat_id)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        return self.chats.get(cid) or {"id": cid, "type": "private", "first_name": "User"}

    def check_text(self, text: Any, parse_mode: Any) -> str:
        """The text as sent, or ApiError as Telegram would refuse it (tests swap in their own
        independent check: tests/fakes/telegram_html.py)."""
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if parse_mode == "HTML":
            problem = html_problem(text)
            if problem:
                raise ApiError(400, f"Bad Request: can't parse entities: {problem}")
            length = telegram_length(text)
        else:
            length = len(text.encode("utf-16-le")) // 2
        if length > TELEGRAM_MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    @staticmethod
    def _check_markup(markup: Any) -> Any:
        if markup is None:
            return None
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
        return markup

    def _store(self, chat_id: Any, **fields: Any) -> JSON:
        chat = self._chat(chat_id)
        message_id = self.next_message_id(chat["id"])
        message: JSON = {"message_id": message_id, "date": int(time.time()), "chat": chat,
                         "from": self.bot_user}
        message.update({k: v for k, v in fields.items() if v is not None})
        self.messages[(int(chat["id"]), message_id)] = message
        return message

    def _m_getMe(self, params: JSON) -> JSON:
        return self.bot_user

    def _m_logOut(self, params: JSON) -> bool:
        return True

    def _m_close(self, params: JSON) -> bool:
        return True

    def _m_deleteWebhook(self, params: JSON) -> bool:
        self.webhook = None
        return True

    def _m_setWebhook(self, params: JSON) -> bool:
        """As Telegram checks it: an https URL on port 443, 80, 88 or 8443; a secret of 1-256
        of A-Za-z0-9_-; allowed_updates a JSON list."""
        url = urlsplit(str(params.get("url") or ""))
        if url.scheme != "https" or not url.hostname:
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if (url.port or 443) not in (443, 80, 88, 8443):
            raise ApiError(400, "Bad Request: bad webhook: "
                                "Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, str):
            allowed = json.loads(allowed)
        if allowed is not None and not isinstance(allowed, list):
            raise ApiError(400, "Bad Request: can't parse allowed updates")
        self.webhook = {"url": url.geturl(), "secret_token": secret, "allowed_updates": allowed}
        return True

    def _m_setMyCommands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if isinstance(commands, str):
            commands = json.loads(commands)
        if not commands or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands list is invalid")
        self.commands[params.get("language_code", "")] = list(commands)
        return True

    def _m_deleteMyCommands(self, params: JSON) -> bool:
        self.commands.pop(params.get("language_code", ""), None)
        return True

    def _m_getUpdates(self, params: JSON) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset", 0) or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        limit = int(params.get("limit", 100) or 100)
        return self.updates[:limit]

    def _m_sendMessage(self, params: JSON) -> JSON:
        text = self.check_text(params.get("text"), params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        # A message carries only an inline keyboard; a reply keyboard goes to the client.
        inline = markup if markup and "inline_keyboard" in markup else None
        return self._store(params.get("chat_id"), text=text, reply_markup=inline)

    def _m_sendChatAction(self, params: JSON) -> bool:
        self._chat(params.get("chat_id"))
        return True

    def _m_sendLocation(self, params: JSON) -> JSON:
        location = {"latitude": params.get("latitude"), "longitude": params.get("longitude")}
        return self._store(params.get("chat_id"), location=location)

    def _m_sendVenue(self, params: JSON) -> JSON:
        location = {"latitude": params.get("latitude"), "longitude": params.get("longitude")}
        venue = {"location": location, "title": params.get("title"),
                 "address": params.get("address")}
        return self._store(params.get("chat_id"), venue=venue, location=location)

    def _existing(self, params: JSON) -> JSON:
        chat = self._chat(params.get("chat_id"))
        message = self.messages.get((chat["id"], int(params.get("message_id", 0))))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _m_editMessageText(self, params: JSON) -> JSON:
        message = self._existing(params)
        text = self.check_text(params.get("text"), params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same as a current "
                                "content and reply markup of the message")
        message["text"] = text
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    def _m_editMessageReplyMarkup(self, params: JSON) -> JSON:
        message = self._existing(params)
        markup = self._check_markup(params.get("reply_markup"))
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return message

    def _m_deleteMessage(self, params: JSON) -> bool:
        message = self._existing(params)
        self.messages.pop((message["chat"]["id"], message["message_id"]), None)
        return True

    def _m_answerCallbackQuery(self, params: JSON) -> bool:
        if not params.get("callback_query_id"):
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        return True


class LocalRequest(BaseRequest):
    """A PTB transport that answers from a LocalBotApi in-process and records every call."""

    def __init__(self, api: LocalBotApi | None = None,
                 listener: Callable[[Call, Any], None] | None = None) -> None:
        self.api = api or LocalBotApi()
        self.calls: list[Call] = []
        self.listener = listener

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            params["_files"] = {name: (upload[0], upload[1]) for name, upload
                                in request_data.multipart_data.items()
                                if isinstance(upload, tuple)}
        call = Call(api_method, params)
        self.calls.append(call)
        try:
            result = self.api.call(api_method, params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as exc:
            result, status, body = None, exc.code, exc.payload()
            call.error = exc.description
        if self.listener is not None:
            self.listener(call, body)
        # An upload's bytes stay in the stored message, never in the JSON answer.
        return status, json.dumps(body, default=lambda _: None).encode()

    def sent(self, method: str = "sendMessage") -> list[JSON]:
        return [c.params for c in self.calls if c.method == method]
