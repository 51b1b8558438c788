"""Versioned, compact callback data and the inline keyboards built from content."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.registry import Content

# Bump when the meaning of callback data changes; older buttons then get a polite refresh.
CALLBACK_VERSION = "1"


@dataclass(frozen=True)
class Callback:
    kind: str       # m=menu, t=topic, e=entry, l=language, d=delete
    arg: str = ""

    def encode(self) -> str:
        data = f"{CALLBACK_VERSION}:{self.kind}:{self.arg}"
        if len(data.encode()) > 64:
            raise ValueError(f"callback data over 64 bytes: {data!r}")
        return data


def decode(data: str | None) -> Callback | None:
    """The callback, or None when it is from another version or malformed (stale button)."""
    if not data:
        return None
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[0] != CALLBACK_VERSION or not parts[1]:
        return None
    return Callback(parts[1], parts[2])


def _button(text: str, cb: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb.encode())


def main_menu(content: Content, lang: str) -> InlineKeyboardMarkup:
    buttons = [_button(f"{t.emoji} {t.title(lang)}", Callback("t", tid))
               for tid, t in content.topics.items()]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows)


def topic_menu(content: Content, topic_id: str, lang: str) -> InlineKeyboardMarkup:
    rows = [[_button(e.entry.text(lang).title, Callback("e", e.id))]
            for e in content.entries_in(topic_id)]
    rows.append([_button(content.message("btn_home", lang), Callback("m"))])
    return InlineKeyboardMarkup(rows)


def answer_keyboard(content: Content, entry_id: str, lang: str,
                    from_menu: bool) -> InlineKeyboardMarkup:
    entry = content.entries[entry_id].entry
    rows = [[_button(content.entries[r].entry.text(lang).title, Callback("e", r))]
            for r in entry.related[:3]]
    nav = []
    if from_menu:
        nav.append(_button(content.message("btn_back", lang), Callback("t", entry.topic)))
    nav.append(_button(content.message("btn_home", lang), Callback("m")))
    rows.append(nav)
    return InlineKeyboardMarkup(rows)


def suggestions(content: Content, entry_ids: tuple[str, ...], lang: str) -> InlineKeyboardMarkup:
    rows = [[_button(content.entries[e].entry.text(lang).title, Callback("e", e))]
            for e in entry_ids]
    rows.append([_button(content.message("btn_menu", lang), Callback("m"))])
    return InlineKeyboardMarkup(rows)


def open_menu(content: Content, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(content.message("btn_menu", lang), Callback("m"))]])


def languages(content: Content, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        _button(content.message("btn_lang_id", lang), Callback("l", "id")),
        _button(content.message("btn_lang_en", lang), Callback("l", "en")),
    ]])


def confirm_delete(content: Content, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        _button(content.message("btn_delete_yes", lang), Callback("d", "y")),
        _button(content.message("btn_delete_no", lang), Callback("d", "n")),
    ]])
