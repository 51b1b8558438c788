"""The bot's processes on one PostgreSQL and the replies each reserves (broadcasts/pacing.py).

One statement per publication, on a pooled connection outside the process's write lock (no
transaction): this process's row is written with the server's clock, the other rows are read
as they were just before, with their age on that same clock (no two hosts' clocks compared),
and rows silent for GONE seconds are deleted. A process joining (or back after a silence)
publishes under an advisory lock, in a transaction: two joining together see each other.
PostgreSQL only: SQLite has one process."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Connection, Database

GONE = 60.0    # seconds: a row this silent belongs to a process long dead
JOIN_LOCK = 0x5355415243     # pg advisory lock key ("SUARC"; migrations "SUARA", leader "SUARB")


@dataclass(frozen=True)
class Peer:
    """Another process as last published: the replies it reserves, whether its engine wants
    room for a broadcast, and how long ago that was (s)."""
    reserved: int
    broadcasting: bool
    age: float


_PUBLISH = (
    "WITH me AS (INSERT INTO processes (id, reserved, broadcasting, heartbeat)"
    " VALUES (?, ?, ?, EXTRACT(EPOCH FROM clock_timestamp()))"
    " ON CONFLICT (id) DO UPDATE SET reserved = excluded.reserved,"
    " broadcasting = excluded.broadcasting, heartbeat = excluded.heartbeat RETURNING heartbeat),"
    " gone AS (DELETE FROM processes WHERE heartbeat < (SELECT heartbeat FROM me) - ?)"
    " SELECT reserved, broadcasting, (SELECT heartbeat FROM me) - heartbeat FROM processes"
    " WHERE id <> ?")


async def _publish(conn: Connection, process_id: str, reserved: int, broadcasting: bool
                   ) -> list[Peer]:
    async with conn.execute(_PUBLISH, (process_id, reserved, int(broadcasting), GONE,
                                       process_id)) as cur:
        rows = await cur.fetchall()
    return [Peer(int(r[0]), bool(r[1]), float(r[2])) for r in rows]


async def publish(db: Database, process_id: str, reserved: int, broadcasting: bool
                  ) -> list[Peer]:
    """Write this process's reservation; the other processes' rows."""
    return await _publish(db.conn, process_id, reserved, broadcasting)


async def join(db: Database, process_id: str, reserved: int, broadcasting: bool
               ) -> list[Peer]:
    """publish(), one joiner at a time: a process joining after another's join committed
    sees it (each statement reads what was committed when it began)."""
    async with db.transaction() as conn:
        await conn.execute("SELECT pg_advisory_xact_lock(?)", (JOIN_LOCK,))
        return await _publish(conn, process_id, reserved, broadcasting)


async def leave(db: Database, process_id: str) -> None:
    """This process sends no more replies: its reservation goes at once."""
    await db.conn.execute("DELETE FROM processes WHERE id = ?", (process_id,))
