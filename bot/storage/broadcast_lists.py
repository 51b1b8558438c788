"""Which broadcasts the officials' screens and the CLI list (bot/storage/broadcasts.py holds the
outbox itself)."""

from __future__ import annotations

from bot.storage.broadcasts import COLUMNS, Broadcast, _broadcast
from bot.storage.db import Database


def in_region(column: str, region: str | None) -> tuple[str, tuple[object, ...]]:
    """A condition (with its parameters) that a region-code column lies within `region` (a
    region code; None: no condition)."""
    if region is None:
        return "1 = 1", ()
    return f"({column} = ? OR {column} LIKE ?)", (region, region + ".%")


async def list_broadcasts(db: Database, limit: int = 50, region: str | None = None
                          ) -> list[Broadcast]:
    """The latest broadcasts; with `region`, only those whose audience lies within it."""
    where, params = in_region("region", region)
    async with db.conn.execute(f"SELECT {COLUMNS} FROM broadcasts WHERE {where}"
                               " ORDER BY id DESC LIMIT ?", (*params, limit)) as cur:
        return [_broadcast(r) for r in await cur.fetchall()]


async def list_open(db: Database, limit: int = 20, region: str | None = None, offset: int = 0
                    ) -> tuple[list[Broadcast], int]:
    """Scheduled, sending, paused and held broadcasts, the soonest first, `limit` of them from
    `offset`, and how many there are; with `region`, only those whose audience lies within
    it."""
    where, params = in_region("region", region)
    open_ = f"state IN ('scheduled', 'sending', 'paused', 'held') AND {where}"
    async with db.conn.execute(f"SELECT COUNT(*) FROM broadcasts WHERE {open_}", params) as cur:
        row = await cur.fetchone()
    async with db.conn.execute(
            f"SELECT {COLUMNS} FROM broadcasts WHERE {open_}"
            " ORDER BY not_before, id LIMIT ? OFFSET ?", (*params, limit, offset)) as cur:
        return [_broadcast(r) for r in await cur.fetchall()], int(row[0]) if row else 0


async def open_by(db: Database, created_by: str) -> list[tuple[int, str | None]]:
    """The broadcasts one official made that are still to go or going (not held: a held one
    waits for a request of its own), oldest first: id and region."""
    async with db.conn.execute(
            "SELECT id, region FROM broadcasts WHERE created_by = ? AND state IN ('scheduled',"
            " 'sending', 'paused') ORDER BY id", (created_by,)) as cur:
        return [(int(r[0]), r[1]) for r in await cur.fetchall()]
