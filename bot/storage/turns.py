"""One chat's updates one at a time, in update_id order, across processes (PostgreSQL).

An update is admitted once, in one statement, as early as a process sees it (the webhook,
before it answers Telegram; else the update processor): its id is recorded as handled
(processed_updates, the duplicate check of storage/updates.py), it is queued under its chat
(chat_queue), it takes the chat's turn (chat_turns) if the turn is free and no earlier update
of the chat is queued, and flood control counts it (storage/flood.py). An update without the
turn asks again (`claim`) until it has it or TURN_SECONDS pass; `release` ends its turn and
unqueues it. A turn is a lease of TURN_SECONDS, and a queued row counts for as long: a
process that dies or hangs holds up its chats for at most that. Times are the database
server's clock (ms).

A handled update's release need not be a round trip of its own (`release_later`): it goes
with this process's next admission or claim of another chat, in the same statement, or within
RELEASE_SECONDS on its own (with any others pending): about one round trip per update instead
of two. Another process waiting for that chat waits at most RELEASE_SECONDS longer; a release
of the chat being admitted or claimed here goes first, on its own."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Connection, Database, DatabaseError, iso
from bot.storage.flood import CLOCK, FLOOD_COLUMNS, FLOOD_CTE, verdict

log = logging.getLogger(__name__)

TURN_SECONDS = 5.0
_TURN_MS = int(TURN_SECONDS * 1000)
RELEASE_SECONDS = 0.02    # a handled update's release waits this long for a statement to join
RETRY_SECONDS = 1.0       # a release the database refused is sent again after this


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


def _admit(owner: int, flood: str = "") -> str:
    """The admission's CTEs; ${owner} and the next: the process's id and the update as
    received, kept with its queued row until handled (storage/recovered.py); `flood`: flood
    control's CTE, whose dropped update keeps none (a process taking it over would answer
    it: nothing says it was dropped)."""
    payload = f"${owner + 1}"
    if flood:
        payload = (f"CASE WHEN EXISTS (SELECT 1 FROM flood WHERE blocked_until IS NOT NULL"
                   f" AND noticed IS DISTINCT FROM $1) THEN NULL ELSE {payload} END")
        flood = f" {flood},"
    return (
        f"WITH {CLOCK}, new AS (INSERT INTO processed_updates (update_id, at) VALUES ($1, $2)"
        f" ON CONFLICT (update_id) DO NOTHING RETURNING update_id),{flood}"
        " queued AS (INSERT INTO chat_queue (update_id, chat_id, since, owner, payload)"
        f" SELECT new.update_id, $3, clock.ms, ${owner}, {payload} FROM new, clock),"
        " turn AS (INSERT INTO chat_turns AS t (chat_id, update_id, until)"
        f" SELECT $3, new.update_id, clock.ms + {_TURN_MS} FROM new, clock"
        f" WHERE {_free('$1', '$3')}{_TAKE})")
# Pending releases ($n: their update ids, $n+1: their chats), as CTEs of a statement that
# touches no row of theirs (another chat's admission or claim).
_RELEASING = (", gone AS (DELETE FROM chat_turns g USING unnest(${n}::bigint[], ${m}::bigint[])"
              " AS r(u, c) WHERE g.chat_id = r.c AND g.update_id = r.u),"
              " unqueued AS (DELETE FROM chat_queue WHERE update_id = ANY(${n}::bigint[]))")


def _releasing(first: int) -> str:
    return _RELEASING.format(n=first, m=first + 1)


_ADMITTED = " SELECT (SELECT COUNT(*) FROM new), (SELECT COUNT(*) FROM turn)"
_ADMIT_PLAIN = _admit(4) + _ADMITTED
_ADMIT_PLAIN_RELEASING = _admit(4) + _releasing(6) + _ADMITTED
_WITH_FLOOD = _admit(7, FLOOD_CTE.format(u=1, user=4, limit=5, cooldown=6))
_FLOODED = _ADMITTED + f", {FLOOD_COLUMNS}"
_ADMIT_FLOOD = _WITH_FLOOD + _FLOODED
_ADMIT_FLOOD_RELEASING = _WITH_FLOOD + _releasing(9) + _FLOODED
_CLAIM_FROM = f"WITH {CLOCK}"
_CLAIM_TAKE = (f" INSERT INTO chat_turns AS t (chat_id, update_id, until)"
               f" SELECT $2, $1, clock.ms + {_TURN_MS} FROM clock WHERE {_free('$1', '$2')}{_TAKE}")
_CLAIM = _CLAIM_FROM + _CLAIM_TAKE
_CLAIM_RELEASING = _CLAIM_FROM + _releasing(3) + _CLAIM_TAKE
_RELEASE = ("WITH turn AS (DELETE FROM chat_turns WHERE chat_id = $2 AND update_id = $1)"
            " DELETE FROM chat_queue WHERE update_id = $1")
_RELEASE_MANY = ("WITH turn AS (DELETE FROM chat_turns t USING unnest($1::bigint[], $2::bigint[])"
                 " AS r(u, c) WHERE t.chat_id = r.c AND t.update_id = r.u)"
                 " DELETE FROM chat_queue WHERE update_id = ANY($1::bigint[])")


@dataclass(frozen=True)
class FloodAsk:
    """Flood control's question for an update: its user's id, the limit a minute and the
    cool-down."""

    user_id: int
    limit: int
    cooldown_seconds: float


class Releases:
    """This process's handled updates whose turn and queued row are still to go (update id ->
    chat id), and the timer that sends them on their own."""

    def __init__(self) -> None:
        self.pending: dict[int, int] = {}
        self.timer: asyncio.TimerHandle | None = None
        self.tasks: set[asyncio.Task[None]] = set()


def _releases(db: Database) -> Releases:
    found = db.cache.get("releases")
    if found is None:
        found = db.cache["releases"] = Releases()
    return found


async def _joining(db: Database, chat_id: int) -> tuple[list[int], list[int]] | None:
    """The pending releases, taken to go with a statement about `chat_id` (None: none); a
    release of `chat_id` itself goes first, with the others, on its own."""
    releases = _releases(db)
    if not releases.pending:
        return None
    if chat_id in releases.pending.values():
        await flush_releases(db)
        return None
    taken, releases.pending = releases.pending, {}
    _stop_timer(releases)     # the next release starts its own wait
    return list(taken), list(taken.values())


def _restore(db: Database, taken: tuple[list[int], list[int]] | None) -> None:
    """A statement that carried releases failed: they wait for the next one."""
    if taken is not None:
        for update_id, chat_id in zip(*taken, strict=True):
            release_later(db, update_id, chat_id)


async def admit(db: Database, update_id: int, chat_id: int, now: datetime,
                flood: FloodAsk | None = None, owner: str | None = None,
                payload: str | None = None) -> Admission:
    """Admit an update of `chat_id` (PostgreSQL): one statement, one round trip (with this
    process's pending releases). `owner` (this process's id) and `payload` (the update as
    received) let a live process handle it if this one dies first (storage/recovered.py)."""
    at = iso(now)
    taken = await _joining(db, chat_id)
    extra = () if taken is None else taken
    try:
        if flood is None:
            sql = _ADMIT_PLAIN if taken is None else _ADMIT_PLAIN_RELEASING
            async with db.conn.execute(sql, (update_id, at, chat_id, owner, payload,
                                             *extra)) as cur:
                row = await cur.fetchone()
        else:
            sql = _ADMIT_FLOOD if taken is None else _ADMIT_FLOOD_RELEASING
            async with db.conn.execute(sql, (
                    update_id, at, chat_id, flood.user_id, flood.limit,
                    int(flood.cooldown_seconds * 1000), owner, payload, *extra)) as cur:
                row = await cur.fetchone()
    except BaseException:
        _restore(db, taken)
        raise
    assert row is not None
    if flood is None:
        return Admission(update_id, bool(row[0]), bool(row[1]))
    return Admission(update_id, bool(row[0]), bool(row[1]),
                     verdict(update_id, row[2], row[3]) if row[0] else None)


async def claim(db: Database, update_id: int, chat_id: int) -> bool:
    """Take the chat's turn if it is free and no earlier update of the chat is queued."""
    taken = await _joining(db, chat_id)
    try:
        async with db.conn.execute(_CLAIM if taken is None else _CLAIM_RELEASING,
                                   (update_id, chat_id, *(taken or ()))) as cur:
            return await cur.fetchone() is not None
    except BaseException:
        _restore(db, taken)
        raise


async def release(db: Database, update_id: int, chat_id: int) -> None:
    """The update is handled: end its turn (if it had it) and unqueue it, now."""
    await db.conn.execute(_RELEASE, (update_id, chat_id))


def release_later(db: Database, update_id: int, chat_id: int) -> None:
    """The update is handled: its release goes with this process's next statement about
    another chat, or on its own within RELEASE_SECONDS."""
    releases = _releases(db)
    releases.pending[update_id] = chat_id
    if releases.timer is None:
        releases.timer = asyncio.get_running_loop().call_later(
            RELEASE_SECONDS, _on_timer, db, releases)


def _stop_timer(releases: Releases) -> None:
    if releases.timer is not None:
        releases.timer.cancel()
        releases.timer = None


def _on_timer(db: Database, releases: Releases) -> None:
    releases.timer = None
    if releases.pending:
        task = asyncio.create_task(flush_releases(db), name="chat-releases")
        releases.tasks.add(task)
        task.add_done_callback(releases.tasks.discard)


async def flush_releases(db: Database) -> None:
    """Send the pending releases now, in one statement (also at shutdown). One that fails
    waits for the next statement, or RETRY_SECONDS: its chat's turn lapses by itself, but its
    queued row, the update as received, would stay until retention, and be taken over and
    handled again once this process stops (storage/recovered.py)."""
    releases = _releases(db)
    _stop_timer(releases)
    if not releases.pending:
        return
    taken, releases.pending = releases.pending, {}
    try:
        await db.conn.execute(_RELEASE_MANY, (list(taken), list(taken.values())))
    except DatabaseError as exc:
        log.warning("could not end %d chats' turns (%s)", len(taken), type(exc).__name__)
        releases.pending = {**taken, **releases.pending}
        if releases.timer is None:
            releases.timer = asyncio.get_running_loop().call_later(
                RETRY_SECONDS, _on_timer, db, releases)


async def drain(db: Database) -> None:
    """At shutdown: the pending releases now (a second time if the first failed), and the ones
    the timer already sent finished, so that the database is not closed under them (their
    chats would wait TURN_SECONDS; their rows would be taken over and handled again)."""
    tasks = _releases(db).tasks
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
    for _ in range(2):
        await flush_releases(db)
    _stop_timer(_releases(db))


async def purge(conn: Connection) -> None:
    """Rows left by a process that died (retention, PostgreSQL)."""
    for sql in (f"WITH {CLOCK} DELETE FROM chat_queue USING clock WHERE since < clock.ms - 3600000",
                f"WITH {CLOCK} DELETE FROM chat_turns USING clock WHERE until < clock.ms - 3600000"):
        await conn.execute(sql)
