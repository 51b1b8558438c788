"""Update payloads as Telegram sends them, shared by the in-process harness and the HTTP fake."""

from __future__ import annotations

import itertools
import time
from typing import Any

from bot.shell.botapi import LocalBotApi

_callback_ids = itertools.count(1)


def user(user_id: int = 501, lang: str | None = "id", first_name: str = "Rina") -> dict[str, Any]:
    payload: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if lang:
        payload["language_code"] = lang
    return payload


def private_chat(of: dict[str, Any]) -> dict[str, Any]:
    return {"id": of["id"], "type": "private", "first_name": of["first_name"]}


def message(api: LocalBotApi, text: str | None, sender: dict[str, Any],
            chat: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    chat = chat or private_chat(sender)
    msg: dict[str, Any] = {"message_id": api.next_message_id(chat["id"]), "date": int(time.time()),
                           "chat": chat, "from": sender}
    if text is not None:
        msg["text"] = text
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]
    msg.update(extra)
    return msg


def callback(data: str, sender: dict[str, Any], on_message: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(next(_callback_ids)), "from": sender, "chat_instance": "t", "data": data,
            "message": on_message}
