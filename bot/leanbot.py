"""SuaraBot: PTB's ExtBot with replies whose answer is not read back into PTB objects.

PTB turns the message Telegram returns for every sendMessage or editMessageText into a
`Message` (its chat, its sender, every button of its keyboard: objects built attribute by
attribute): under load about a tenth of the bot's CPU per update, for an answer a reply almost
never looks at. `send_text` and `edit_text` send what `send_message` and `edit_message_text`
send for the same arguments (the same data, the Defaults filled in by ExtBot, through
`Bot._post`: the same transport with its pacing and retries, and the same errors raised for
a 400, 403 or 429); they return only the sent message's ids. A keyboard is turned into its
JSON once (keyboards are built once per content: memo.py) and given to each request as a
fresh dict read from that JSON, not through PTB's to_dict.
tests/test_leanbot.py compares their requests with PTB's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.ext import ExtBot


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the bot sent: where it is."""
    chat_id: int
    message_id: int


MAX_MARKUPS = 1024      # keyboards whose JSON is kept (the content's, a few hundred)


def _text_data(data: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
    """What Bot.send_message / edit_message_text and Bot._send_message put in a text message's
    request when the caller gives only these: the options PTB's Defaults may fill stay
    DEFAULT_NONE (ExtBot._insert_defaults puts in the Defaults' value, or drops them)."""
    return {**data, "entities": None, "parse_mode": DEFAULT_NONE,
            "link_preview_options": DEFAULT_NONE, "disable_notification": DEFAULT_NONE,
            "protect_content": DEFAULT_NONE, "reply_markup": markup}


class SuaraBot(ExtBot[None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # id(keyboard) -> (the keyboard, kept so that its id is not reused; its JSON)
        self._markups: dict[int, tuple[InlineKeyboardMarkup, str]] = {}

    def _markup(self, markup: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
        """The keyboard as PTB would send it (its to_dict), as a dict of the caller's own."""
        if markup is None:
            return None
        held = self._markups.get(id(markup))
        if held is None or held[0] is not markup:
            if len(self._markups) >= MAX_MARKUPS:
                self._markups.clear()
            held = self._markups[id(markup)] = (markup, json.dumps(markup.to_dict()))
        return json.loads(held[1])

    async def send_text(self, chat_id: int, text: str,
                        reply_markup: InlineKeyboardMarkup | None = None) -> Sent:
        """`send_message(chat_id, text, reply_markup=...)` without the Message."""
        result = await self._post("sendMessage", _text_data(
            {"chat_id": chat_id, "text": text}, self._markup(reply_markup)))
        return Sent(chat_id, int(result["message_id"]))

    async def edit_text(self, chat_id: int, message_id: int, text: str,
                        reply_markup: InlineKeyboardMarkup | None = None,
                        business_connection_id: str | None = None) -> None:
        """`edit_message_text(text, chat_id, message_id, reply_markup=...)` (as
        `Message.edit_text` calls it) without the Message."""
        await self._post("editMessageText", _text_data(
            {"chat_id": chat_id, "message_id": message_id, "text": text,
             "inline_message_id": None, "business_connection_id": business_connection_id},
            self._markup(reply_markup)))
