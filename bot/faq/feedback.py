"""Which question each recent answer answered, so that a "not helpful" press can keep the
question (redacted) with the entry it got; one vote per answer, never two.

SQLite (one process): in memory only, as before; nothing is written until someone presses
"no", and after a restart older buttons still say thanks but record nothing. PostgreSQL
(several processes; the press may reach another process than the answer): remembered answers
are written in batches every FLUSH seconds (storage/answered.py; no round trip per answer),
and a press takes the row, once, whichever process it reaches; a press the batch has not
reached yet is looked for again once, a flush later."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage import Database
from bot.storage.answered import AnsweredRow, save_answered, take_answered
from bot.storage.db import DatabaseError, iso
from bot.tasks import cancel_and_wait

log = logging.getLogger(__name__)

FLUSH = 0.5       # seconds between batches (PostgreSQL)


@dataclass(frozen=True)
class Answered:
    question: str      # redacted
    entry_id: str
    language: str


class RecentAnswers:
    def __init__(self, remember: int = 20_000) -> None:
        self._items: OrderedDict[tuple[int, int], Answered] = OrderedDict()
        self._remember = remember
        self._db: Database | None = None       # set on PostgreSQL: shared through it
        self._pending: OrderedDict[tuple[int, int], AnsweredRow] = OrderedDict()
        self._task: asyncio.Task[None] | None = None

    def remember(self, chat_id: int, message_id: int, answered: Answered,
                 now: datetime) -> None:
        if self._db is None:
            self._items[(chat_id, message_id)] = answered
            _bound(self._items, self._remember)
            return
        self._pending[(chat_id, message_id)] = (
            chat_id, message_id, answered.entry_id, answered.language, answered.question,
            iso(now))
        _bound(self._pending, self._remember)

    def forget(self, chat_id: int) -> None:
        """A citizen erased their data (/hapusdata): the questions of their chat's answers go
        too, from memory here (storage.users.delete_user deletes the rows written)."""
        for items in (self._items, self._pending):
            for key in [k for k in items if k[0] == chat_id]:
                del items[key]

    async def take(self, chat_id: int, message_id: int) -> Answered | None:
        """The answer's question, once: a second press of the same answer gets None."""
        if self._db is None:
            return self._items.pop((chat_id, message_id), None)
        row = self._pending.pop((chat_id, message_id), None)   # not written yet: ours
        if row is not None:
            return Answered(row[4], row[2], row[3])
        for attempt in range(2):
            try:
                found = await take_answered(self._db, chat_id, message_id)
            except DatabaseError as exc:
                log.warning("feedback: answer not looked up (%s)", type(exc).__name__)
                return None
            if found is not None:
                entry_id, language, question = found
                return Answered(question, entry_id, language)
            if attempt == 0:       # answered a moment ago by another process: its batch
                await asyncio.sleep(FLUSH * 1.5)
        return None

    # -- PostgreSQL: the batches -------------------------------------------------------------

    def start(self, db: Database) -> None:
        if db.dialect != "postgres":
            return
        self._db = db
        self._task = asyncio.create_task(self._run(), name="recent-answers")

    async def flush(self) -> None:
        if self._db is None or not self._pending:
            return
        batch, self._pending = self._pending, OrderedDict()
        try:
            await save_answered(self._db, list(batch.values()))
        except BaseException as exc:     # kept for the next batch (bounded by `remember`)
            batch.update(self._pending)
            self._pending = batch
            if not isinstance(exc, DatabaseError):
                raise
            log.warning("feedback: answers not written (%s); retrying", type(exc).__name__)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(FLUSH)
            await self.flush()

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)
        await self.flush()


def _bound(items: OrderedDict[Any, Any], size: int) -> None:
    while len(items) > size:
        items.popitem(last=False)
