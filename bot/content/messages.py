"""The messages the code sends, with the variables each template may use (and sample values).

A message key listed here must exist in content/messages.yaml, and no other key may: that
catches both a missing translation of the bot's own words and a typo in a key.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup

_SAMPLE_SOURCES = [{"title": "Contoh sumber", "url": "https://example.org/a", "date": "1 Jan 2024"}]

MESSAGE_VARIABLES: dict[str, dict[str, Any]] = {
    "start": {"first_name": "Rina <b>"},
    "help": {},
    "menu": {},
    "topic": {"topic_title": "Hak pilih", "emoji": "🗳"},
    "answer": {"title": "Judul", "body": Markup("Isi <b>jawaban</b>."), "sources": _SAMPLE_SOURCES},
    "suggestions": {},
    "fallback": {},
    "language_prompt": {},
    "language_set": {},
    "countdown_before": {"days": 12, "hours": 5, "voting_day": date(2024, 11, 27)},
    "countdown_today": {"opens_in_hours": 0, "open_now": True, "closed": False},
    "countdown_after": {
        "days_since": 3,
        "upcoming": [{"title": "Penetapan hasil", "start": date(2024, 12, 15), "end": None}],
    },
    "sources": {"sources": _SAMPLE_SOURCES},
    "delete_confirm": {},
    "deleted": {},
    "delete_cancelled": {},
    "nothing_to_delete": {},
    "unsupported_media": {},
    "too_long": {"limit": 500},
    "no_text": {},
    "stale_button": {},
    "nik_warning": {},
    "error": {},
    "group_hint": {"bot_username": "suara_bot"},
    "btn_home": {},
    "btn_back": {},
    "btn_menu": {},
    "btn_delete_yes": {},
    "btn_delete_no": {},
    "btn_lang_id": {},
    "btn_lang_en": {},
}
