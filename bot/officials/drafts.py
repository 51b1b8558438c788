"""Announcement drafts: what an official is composing, step by step, in memory. A draft
untouched for DRAFT_TTL expires harmlessly (its buttons then say so). Telegram-free."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.content.render import TELEGRAM_MAX_TEXT, html_problem, telegram_length

DRAFT_TTL = timedelta(minutes=30)


@dataclass
class Draft:
    id: str
    owner: int
    touched: datetime
    step: str = "content"             # content | options | when | preview | done
    text: str | None = None           # the official's literal HTML text
    template: str | None = None       # or a content template id
    topic: str = "announcements"
    region: str | None = None         # kabupaten/kota, kecamatan or desa code; None = all
    language: str | None = None
    campaign: str | None = None
    urgent: bool = False
    at: datetime | None = None        # None = now
    choices: list[str] = field(default_factory=list)   # what the last list of buttons offered

    def record(self) -> dict[str, Any]:
        """The draft as JSON-ready data (kept with an approval request)."""
        data = asdict(self)
        data["touched"] = self.touched.isoformat()
        data["at"] = self.at.isoformat() if self.at else None
        return data

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Draft:
        data = dict(data)
        data["touched"] = datetime.fromisoformat(data["touched"])
        data["at"] = datetime.fromisoformat(data["at"]) if data.get("at") else None
        return cls(**data)


class Drafts:
    """One open draft per official; the newest replaces an older one."""

    def __init__(self) -> None:
        self._by_owner: dict[int, Draft] = {}

    def new(self, owner: int, now: datetime) -> Draft:
        draft = Draft(secrets.token_urlsafe(4)[:6], owner, now)
        self._by_owner[owner] = draft
        return draft

    def get(self, owner: int, draft_id: str, now: datetime) -> Draft | None:
        draft = self._by_owner.get(owner)
        if draft is None or draft.id != draft_id:
            return None
        if now - draft.touched > DRAFT_TTL:
            del self._by_owner[owner]
            return None
        draft.touched = now
        return draft

    def waiting_for_text(self, owner: int, now: datetime) -> Draft | None:
        """The draft waiting for this official's next message (its text, or a date)."""
        draft = self._by_owner.get(owner)
        if draft is None or draft.step not in ("content", "when"):
            return None
        return self.get(owner, draft.id, now)

    def drop(self, owner: int) -> None:
        self._by_owner.pop(owner, None)


def text_problem(text: str) -> str | None:
    """Why an official's text cannot go out as it is, or None. Literal text in Telegram's HTML
    subset; never a template (braces are text)."""
    if not text.strip():
        return "teksnya kosong"
    problem = html_problem(text)
    if problem:
        return f"HTML tidak valid untuk Telegram: {problem}"
    length = telegram_length(text)
    if length > TELEGRAM_MAX_TEXT:
        return f"teksnya {length} karakter; Telegram membolehkan paling banyak {TELEGRAM_MAX_TEXT}"
    return None


def parse_when(text: str, tz: Any, now: datetime) -> datetime | str:
    """A local date and time like "2024-11-26 08:00", or why it is not one."""
    try:
        local = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        return "tulis tanggal dan jam seperti 2024-11-26 08:00"
    moment = local.replace(tzinfo=tz)
    if moment <= now:
        return "waktu itu sudah lewat"
    if moment - now > timedelta(days=366):
        return "paling jauh setahun ke depan"
    return moment
