"""What an official is in the middle of (migration 0014): the open announcement draft and the
progress messages kept current, one row per official, as JSON, each part with its version.

A write names the version it read: when another write of that part (another process, or
this one's other task) came first, it changes nothing and says so (None), and the caller
reads again. The two parts change independently: the leader ending a progress message never
spoils the step an official is taking on a draft. On PostgreSQL each write also tells the
other processes (storage/changes.py), in the same statement."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from bot.storage.changes import CHANNEL
from bot.storage.db import Database, iso

TABLE = "official_sessions"
COLUMNS = "user_id, draft, draft_version, progress, progress_version, picking_until"
Part = Literal["draft", "progress"]


@dataclass(frozen=True)
class Session:
    user_id: int
    draft: dict[str, Any] | None = None
    draft_version: int = 0           # 0: never written
    progress: list[dict[str, Any]] = field(default_factory=list)
    progress_version: int = 0
    picking_until: str | None = None  # /petugas: a forward picks an official until then (ISO)


def _session(row: Any) -> Session:
    return Session(int(row[0]), json.loads(row[1]) if row[1] else None, int(row[2]),
                   json.loads(row[3]), int(row[4]), row[5])


async def load_session(db: Database, user_id: int) -> Session:
    async with db.conn.execute(f"SELECT {COLUMNS} FROM official_sessions WHERE user_id = ?",
                               (user_id,)) as cur:
        row = await cur.fetchone()
    return _session(row) if row is not None else Session(user_id)


async def all_sessions(db: Database, with_progress: bool = False) -> list[Session]:
    """Every official's row (a handful); only those following progress messages if asked."""
    where = " WHERE progress <> '[]'" if with_progress else ""
    async with db.conn.execute(f"SELECT {COLUMNS} FROM official_sessions{where}") as cur:
        return [_session(row) for row in await cur.fetchall()]


async def save_part(db: Database, user_id: int, part: Part, value: Any, version: int,
                    now: datetime) -> int | None:
    """Store one part (`draft`: a dict or None; `progress`: a list) over the `version` it was
    read at: the new version, or None when that part moved on since (nothing written)."""
    data = json.dumps(value, ensure_ascii=False) if value is not None else None
    if version == 0:     # the official's first write: the row, then the part as any other
        await db.write("INSERT INTO official_sessions (user_id, updated_at) VALUES (?, ?)"
                       " ON CONFLICT (user_id) DO NOTHING", (user_id, iso(now)))
    write = (f"UPDATE official_sessions SET {part} = ?, {part}_version = {part}_version + 1,"
             f" updated_at = ? WHERE user_id = ? AND {part}_version = ?")
    params = (data, iso(now), user_id, version)
    if db.dialect == "postgres":
        # One statement, one round trip: the write, and the news of it at its commit.
        async with db.conn.execute(
                f"WITH w AS ({write} RETURNING user_id) SELECT pg_notify('{CHANNEL}',"
                f" '{TABLE}:' || user_id) FROM w", params) as cur:
            written = len(list(await cur.fetchall()))
    else:
        written = (await db.write(write, params)).rowcount
    return version + 1 if written == 1 else None


async def save_picking(db: Database, user_id: int, until: datetime | None, now: datetime) -> None:
    """A super-admin's /petugas window (None: closed); the last write wins, and on PostgreSQL
    the other processes hear of it at the commit."""
    value = until.isoformat() if until is not None else None
    await db.write("INSERT INTO official_sessions (user_id, updated_at) VALUES (?, ?)"
                   " ON CONFLICT (user_id) DO NOTHING", (user_id, iso(now)))
    write = "UPDATE official_sessions SET picking_until = ?, updated_at = ? WHERE user_id = ?"
    params = (value, iso(now), user_id)
    if db.dialect == "postgres":
        async with db.conn.execute(f"WITH w AS ({write} RETURNING user_id) SELECT pg_notify("
                                   f"'{CHANNEL}', '{TABLE}:' || user_id) FROM w", params) as cur:
            await cur.fetchall()
    else:
        await db.write(write, params)
