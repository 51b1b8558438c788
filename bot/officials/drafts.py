"""Announcement drafts: what an official is composing, step by step, kept in the database so
that any process (or this one after a restart) takes the next step. A draft untouched for
DRAFT_TTL expires harmlessly (its buttons then say so). Telegram-free."""

from __future__ import annotations

import logging
import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.content.render import TELEGRAM_MAX_TEXT, html_problem, telegram_length
from bot.storage import Database
from bot.storage.changes import shared
from bot.storage.sessions import (
    Part,
    Session,
    all_sessions,
    load_session,
    save_part,
    save_picking,
)

log = logging.getLogger(__name__)

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
    listed: str = ""                  # which list `choices` is: "T" templates, "C" campaigns,
    #                                   "P" topics
    places: str = ""                  # the region lists its place buttons point into (version)
    version: int = 0                  # of the stored row it was read from (not in the record)

    def record(self) -> dict[str, Any]:
        """The draft as JSON-ready data (stored, and kept with an approval request)."""
        data = asdict(self)
        del data["version"]
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
    """One open draft per official; the newest replaces an older one. Kept in the database
    (storage/sessions.py, with the official's progress messages) and in memory.

    SQLite (one process): memory is the truth and every change is written through, so a
    restart keeps the draft; nothing is read per update. PostgreSQL (several processes): the
    database is the truth: each step reads the official's row first (one round trip) and
    writes it back over the version it read (one more); memory, kept current by the change
    feed (bot/sharing.py), only tells the message filter whose next text a draft awaits."""

    def __init__(self) -> None:
        self._sessions: dict[int, Session] = {}

    async def load(self, db: Database) -> None:
        """Every official's row (at start, and when changes may have been missed)."""
        self._sessions = {s.user_id: s for s in await all_sessions(db)}

    async def refresh(self, db: Database, owner: int) -> Session:
        """The official's row read again. A read that a write of this process overtook (the
        change feed's refresh of an earlier step, answered after the next step's write) does
        not put back the older draft or progress: each part keeps its newest version."""
        loaded = await load_session(db, owner)
        known = self._sessions.get(owner)
        if known is not None and (loaded.draft_version or loaded.progress_version):  # not erased
            if known.draft_version > loaded.draft_version:
                loaded = replace(loaded, draft=known.draft, draft_version=known.draft_version)
            if known.progress_version > loaded.progress_version:
                loaded = replace(loaded, progress=known.progress,
                                 progress_version=known.progress_version)
        self._sessions[owner] = loaded
        return loaded

    async def _current(self, db: Database, owner: int) -> Session:
        if shared(db):
            return await self.refresh(db, owner)
        return self._sessions.get(owner) or Session(owner)

    @staticmethod
    def _draft(session: Session) -> Draft | None:
        if session.draft is None:
            return None
        draft = Draft.from_record(session.draft)
        draft.version = session.draft_version
        return draft

    async def new(self, db: Database, owner: int, now: datetime) -> Draft:
        """A fresh draft (stored by `save`, replacing any older one)."""
        session = await self._current(db, owner)
        return Draft(secrets.token_urlsafe(4)[:6], owner, now, version=session.draft_version)

    async def get(self, db: Database, owner: int, draft_id: str | None, now: datetime
                  ) -> Draft | None:
        """The official's draft `draft_id` (None: whichever), unless expired."""
        draft = self._draft(await self._current(db, owner))
        if draft is None or draft_id not in (None, draft.id) or now - draft.touched > DRAFT_TTL:
            return None
        draft.touched = now
        return draft

    async def waiting_for_text(self, db: Database, owner: int, now: datetime) -> Draft | None:
        """The draft waiting for this official's next message (its text, or a date)."""
        draft = await self.get(db, owner, None, now)
        return draft if draft is not None and draft.step in ("content", "when") else None

    def last_seen(self, owner: int) -> Draft | None:
        """The official's draft as this process last read or wrote it."""
        session = self._sessions.get(owner)
        return self._draft(session) if session is not None else None

    def awaits_text(self, owner: int, now: datetime) -> bool:
        """Whether, as far as this process knows, a draft waits for this official's next
        message (the message filter's question; it cannot wait for the database)."""
        session = self._sessions.get(owner)
        draft = session.draft if session is not None else None
        return (draft is not None and draft.get("step") in ("content", "when")
                and now - datetime.fromisoformat(draft["touched"]) <= DRAFT_TTL)

    def picking(self, owner: int, now: datetime) -> bool:
        """Whether this super-admin's /petugas window is open (a forward picks an official),
        as far as this process knows (the message filter's question, like awaits_text)."""
        session = self._sessions.get(owner)
        until = session.picking_until if session is not None else None
        return until is not None and now < datetime.fromisoformat(until)

    async def start_picking(self, db: Database, owner: int, until: datetime, now: datetime
                            ) -> None:
        await save_picking(db, owner, until, now)
        session = self._sessions.get(owner) or Session(owner)
        self._sessions[owner] = replace(session, picking_until=until.isoformat())

    async def save(self, db: Database, draft: Draft | None, now: datetime,
                   owner: int | None = None) -> bool:
        """Store the draft (None: the official has none) over the version it was read at.
        False, and nothing written, when a newer write came first (another step, a drop)."""
        owner = draft.owner if draft is not None else owner
        assert owner is not None
        session = self._sessions.get(owner) or Session(owner)
        version = draft.version if draft is not None else session.draft_version
        if version != session.draft_version or not await self._write(
                db, session, "draft", draft.record() if draft is not None else None, now):
            log.info("a draft changed elsewhere meanwhile; this step was not kept")
            return False
        if draft is not None:
            draft.version = self._sessions[owner].draft_version
        return True

    async def drop(self, db: Database, owner: int, now: datetime) -> None:
        await self._current(db, owner)
        await self.save(db, None, now, owner)

    async def _write(self, db: Database, session: Session, part: Part, value: Any,
                     now: datetime) -> bool:
        version = session.draft_version if part == "draft" else session.progress_version
        written = await save_part(db, session.user_id, part, value, version, now)
        if written is None:
            if shared(db):
                await self.refresh(db, session.user_id)
            return False
        changes: dict[str, Any] = {part: value, f"{part}_version": written}
        self._sessions[session.user_id] = replace(session, **changes)
        return True

    # -- the progress messages an official is shown (officials/progress.py) ---------------

    async def following(self, db: Database) -> list[Session]:
        """The officials with progress messages to keep current (read from the database)."""
        if shared(db):
            return await all_sessions(db, with_progress=True)
        return [s for s in self._sessions.values() if s.progress]

    async def change_progress(self, db: Database, owner: int, now: datetime,
                              add: dict[str, Any] | None = None,
                              end: frozenset[int] = frozenset()) -> None:
        """Add a progress message, or end those of the broadcasts in `end`; read again and
        retried when another process wrote meanwhile."""
        for _ in range(5):
            session = await self._current(db, owner)
            kept = [p for p in session.progress if p["broadcast"] not in end]
            if await self._write(db, session, "progress", kept + ([add] if add else []), now):
                return
        log.warning("progress messages of an official not updated: kept changing")


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
