"""The bot's processes on one PostgreSQL and the replies each reserves (broadcasts/pacing.py).

One statement per publication, on a pooled connection outside the process's write lock (no
transaction): this process's row is written with the server's clock, the other rows are read
as they were just before, with their age on that same clock (no two hosts' clocks compared),
and rows silent for GONE seconds are deleted. PostgreSQL only: SQLite has one process."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Database

GONE = 60.0    # seconds: a row this silent belongs to a process long dead


@dataclass(frozen=True)
class Peer:
    """Another process as last published: the replies it reserves, and how long ago (s)."""
    reserved: int
    age: float


async def publish(db: Database, process_id: str, reserved: int) -> list[Peer]:
    """Write this process's reservation; the other processes' rows."""
    async with db.conn.execute(
            "WITH me AS (INSERT INTO processes (id, reserved, heartbeat)"
            " VALUES (?, ?, EXTRACT(EPOCH FROM clock_timestamp()))"
            " ON CONFLICT (id) DO UPDATE SET reserved = excluded.reserved,"
            " heartbeat = excluded.heartbeat RETURNING heartbeat),"
            " gone AS (DELETE FROM processes WHERE heartbeat < (SELECT heartbeat FROM me) - ?)"
            " SELECT reserved, (SELECT heartbeat FROM me) - heartbeat FROM processes"
            " WHERE id <> ?", (process_id, reserved, GONE, process_id)) as cur:
        rows = await cur.fetchall()
    return [Peer(int(reserved), float(age)) for reserved, age in rows]


async def leave(db: Database, process_id: str) -> None:
    """This process sends no more replies: its reservation goes at once."""
    await db.conn.execute("DELETE FROM processes WHERE id = ?", (process_id,))
