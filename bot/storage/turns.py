"""One chat's updates one at a time, in update_id order, across processes (PostgreSQL).

An update is admitted once, in one statement, as early as a process sees it (the webhook,
before it answers Telegram; else the update processor): its id is recorded as handled
(processed_updates, the duplicate check of storage/updates.py), it is queued under its chat
(chat_queue), it takes the chat's turn (chat_turns) if the turn is free and no earlier update
of the chat is queued, and flood control counts it (storage/flood.py). An update without the
turn asks again (`claim`) until it has it or TURN_SECONDS pass; `release` ends its turn and
unqueues it. A turn is a lease of TURN_SECONDS, and a queued row counts for as long: a
process that dies or hangs holds up its chats for at most that. Times are the database
server's clock (ms)."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Connection, Database, iso
from bot.storage.flood import CLOCK, FLOOD_COLUMNS, FLOOD_CTE, verdict

TURN_SECONDS = 5.0
_TURN_MS = int(TURN_SECONDS * 1000)


@dataclass(frozen=True)
class Admission:
    """What admitting an update found: `new` (no process had it), `turn` (it holds its
    chat's turn) and, if it was asked, flood control's verdict (pass, notice, drop)."""

    update_id: int
    new: bool
    turn: bool
    flood: str | None = None


# The admission of the update this task is handling (set by the update processor, read by the
# duplicate check and flood control so that they need no statement of their own).
current: contextvars.ContextVar[Admission | None] = contextvars.ContextVar(
    "suara_admission", default=None)


def admitted(update_id: int) -> Admission | None:
    found = current.get()
    return found if found is not None and found.update_id == update_id else None




def _free(update: str, chat: str) -> str:
    """No earlier update of the chat queued (within a turn's time)."""
    return (f"NOT EXISTS (SELECT 1 FROM chat_queue q WHERE q.chat_id = {chat}"
            f" AND q.update_id < {update} AND q.since > clock.ms - {_TURN_MS})")



_TAKE = (f" ON CONFLICT (chat_id) DO UPDATE SET update_id = excluded.update_id,"
         f" until = excluded.until WHERE t.until < excluded.until - {_TURN_MS}"
         f" RETURNING update_id")
_ADMIT = (
    f"WITH {CLOCK}, new AS (INSERT INTO processed_updates (update_id, at) VALUES ($1, $2)"
    " ON CONFLICT (update_id) DO NOTHING RETURNING update_id),"
    " queued AS (INSERT INTO chat_queue (update_id, chat_id, since)"
    " SELECT new.update_id, $3, clock.ms FROM new, clock),"
    " turn AS (INSERT INTO chat_turns AS t (chat_id, update_id, until)"
    f" SELECT $3, new.update_id, clock.ms + {_TURN_MS} FROM new, clock WHERE {_free('$1', '$3')}{_TAKE})")
_ADMIT_PLAIN = _ADMIT + " SELECT (SELECT COUNT(*) FROM new), (SELECT COUNT(*) FROM turn)"
_ADMIT_FLOOD = (_ADMIT + ", " + FLOOD_CTE.format(u=1, user=4, limit=5, cooldown=6)
                + f" SELECT (SELECT COUNT(*) FROM new), (SELECT COUNT(*) FROM turn), {FLOOD_COLUMNS}")
_CLAIM = (f"WITH {CLOCK} INSERT INTO chat_turns AS t (chat_id, update_id, until)"
          f" SELECT $2, $1, clock.ms + {_TURN_MS} FROM clock WHERE {_free('$1', '$2')}{_TAKE}")
_RELEASE = ("WITH turn AS (DELETE FROM chat_turns WHERE chat_id = $2 AND update_id = $1)"
            " DELETE FROM chat_queue WHERE update_id = $1")


@dataclass(frozen=True)
class FloodAsk:
    """Flood control's question for an update: its user's id, the limit a minute and the
    cool-down."""

    user_id: int
    limit: int
    cooldown_seconds: float


async def admit(db: Database, update_id: int, chat_id: int, now: datetime,
                flood: FloodAsk | None = None) -> Admission:
    """Admit an update of `chat_id` (PostgreSQL): one statement, one round trip."""
    at = iso(now)
    if flood is None:
        async with db.conn.execute(_ADMIT_PLAIN, (update_id, at, chat_id)) as cur:
            row = await cur.fetchone()
        assert row is not None
        return Admission(update_id, bool(row[0]), bool(row[1]))
    async with db.conn.execute(_ADMIT_FLOOD, (
            update_id, at, chat_id, flood.user_id, flood.limit,
            int(flood.cooldown_seconds * 1000))) as cur:
        row = await cur.fetchone()
    assert row is not None
    return Admission(update_id, bool(row[0]), bool(row[1]),
                     verdict(update_id, row[2], row[3]) if row[0] else None)


async def claim(db: Database, update_id: int, chat_id: int) -> bool:
    """Take the chat's turn if it is free and no earlier update of the chat is queued."""
    async with db.conn.execute(_CLAIM, (update_id, chat_id)) as cur:
        return await cur.fetchone() is not None


async def release(db: Database, update_id: int, chat_id: int) -> None:
    """The update is handled: end its turn (if it had it) and unqueue it."""
    await db.conn.execute(_RELEASE, (update_id, chat_id))


async def purge(conn: Connection) -> None:
    """Rows left by a process that died (retention, PostgreSQL)."""
    for sql in (f"WITH {CLOCK} DELETE FROM chat_queue USING clock WHERE since < clock.ms - 3600000",
                f"WITH {CLOCK} DELETE FROM chat_turns USING clock WHERE until < clock.ms - 3600000"):
        await conn.execute(sql)
