"""One chat's updates are handled one at a time and in order: within a process by an asyncio
lock per chat; on PostgreSQL also across the processes sharing it (storage/turns.py).

What Telegram guarantees, and what this adds: Telegram's Bot API server sends a webhook update
only after the update before it in the same queue was answered with a 2xx (tdlib/telegram-bot-
api, WebhookActor.cpp: drop_event schedules a queue's next update on success), so an earlier
update has always reached one of our processes before a later one of its queue is sent. The
webhook answers as soon as the update is queued in memory, though, so two processes can be
handling one chat's updates at once. On PostgreSQL the webhook therefore admits each update
(storage/turns.admit: recorded, queued under its chat, one statement) before it answers 200,
and a process handles an update only while it holds the chat's turn, which goes to the
earliest queued update of the chat: updates of one chat delivered in order are handled in
update_id order, one at a time, whichever processes receive them. An update that arrives
after a later one of its chat has begun (delivered out of order, or by polling) waits for it
and runs after it. Bounds: an update waits at most TURN_SECONDS for the turn (a process that
died or hangs, or a handler slower than that), then is handled all the same.
SQLite (one process): the asyncio lock only, as before; no statement."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot import flood
from bot.storage import turns
from bot.storage.db import Database, DatabaseError
from bot.storage.turns import Admission
from bot.storage.updates import recent_ids

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

WAIT_SECONDS = turns.TURN_SECONDS   # the longest an update waits for its chat's turn
FIRST_POLL = 0.005
LAST_POLL = 0.05
ADMITTED = "admitted"   # db.cache: admissions made by the webhook, for the processor


def chat_key(update: object) -> int | None:
    chat = getattr(update, "effective_chat", None)
    if chat is not None:
        return int(chat.id)
    user = getattr(update, "effective_user", None)
    return int(user.id) if user is not None else None


def _shared(services: Services | None) -> Database | None:
    """The database, when several processes may share it (PostgreSQL); else None."""
    if services is None or services._db is None or services._db.dialect != "postgres":
        return None
    return services._db


async def admit_update(services: Services, gate: flood.FloodGate | None,
                       update: Update, payload: bytes | None = None) -> Admission | None:
    """Admit an update of a chat across processes (PostgreSQL); None elsewhere, or for an
    update of no chat (the duplicate check then runs in its handler as before). `payload`:
    the update as received (the webhook), kept until it is handled, so that a live process
    handles it if this one dies first (storage/recovered.py, bot/recovery.py)."""
    db, key = _shared(services), chat_key(update)
    if db is None or key is None:
        return None
    if not recent_ids(db).first_time(update.update_id):
        return Admission(update.update_id, new=False, turn=False)
    ask = flood.ask(gate, update) if gate is not None else None
    try:
        owner = getattr(services.sends, "id", None) if payload is not None else None
        kept = payload.decode(errors="replace") if owner is not None and payload else None
        return await turns.admit(db, update.update_id, key, services.clock.now(), ask,
                                 owner, kept)
    except DatabaseError as exc:   # handled twice, or out of turn, beats never handled
        log.warning("could not admit an update (%s); handling it", type(exc).__name__)
        return Admission(update.update_id, new=True, turn=True)


def remember(services: Services, admission: Admission) -> None:
    """An admission made by the webhook, for the processor to find."""
    services.db.cache.setdefault(ADMITTED, {})[admission.update_id] = admission


async def wait_turn(db: Database, update_id: int, chat_id: int) -> bool:
    """Ask for the chat's turn until given, or WAIT_SECONDS pass (then go on without it)."""
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + WAIT_SECONDS, FIRST_POLL
    while True:
        try:
            if await turns.claim(db, update_id, chat_id):
                return True
        except DatabaseError:
            return False
        if loop.time() >= deadline:
            log.info("an update waited %.0f s for its chat's turn; handled without it",
                     WAIT_SECONDS)
            return False
        await asyncio.sleep(pause)
        pause = min(pause * 2, LAST_POLL)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; one chat's updates keep their order."""

    def __init__(self, max_concurrent_updates: int, services: Services | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self.services = services
        self.gate: flood.FloodGate | None = None    # set once flood control is registered

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        db = _shared(self.services)
        admission = None
        if db is not None and isinstance(update, Update) and self.services is not None:
            # Queued under its chat before waiting here: an earlier update of the chat is
            # never unknown to another process while it waits for this process's lock.
            admission = db.cache.get(ADMITTED, {}).pop(update.update_id, None) \
                or await admit_update(self.services, self.gate, update)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                if db is None or admission is None:
                    await coroutine
                else:
                    await self._in_turn(db, admission, key, coroutine)
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def _in_turn(self, db: Database, admission: Admission, key: int,
                       coroutine: Awaitable[Any]) -> None:
        if admission.new and not admission.turn and admission.flood != "drop":
            got = await wait_turn(db, admission.update_id, key)
            admission = dataclasses.replace(admission, turn=got)
        token = turns.current.set(admission)
        try:
            await coroutine
        finally:
            turns.current.reset(token)
            if admission.new:     # with the next statement, or within RELEASE_SECONDS
                turns.release_later(db, admission.update_id, key)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        db = _shared(self.services)
        if db is not None:     # the handled updates' turns go now, not when they lapse
            await turns.drain(db)
