"""A broadcast's recipients fixed in chunks: never all of them in memory, and sending starts
after the first chunk.

Each chunk is one INSERT ... SELECT of the next CHUNK audience members in user-id order after
the last one fixed, committed by itself (on PostgreSQL fenced, as every leader's transaction).
The last one fixed is the broadcast's highest delivery row, so whoever runs the engine next
(this process after a restart, or another leader) goes on where the chunking stopped. The chunk
that finds fewer than CHUNK ends the targeting: `snapshotted` set, the total audited, and
under the two-person rule the broadcast held if over its limit, in that chunk's transaction.

A broadcast paused or cancelled while its recipients are fixed stops the chunking: the last
step (snapshotted, the count, the hold) happens only while it is still 'sending' (compare and
set), so a cancel is never undone by a hold, and a pause leaves that step to its resumption."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.broadcasts import Broadcast, Started, iso
from bot.storage.db import Database
from bot.storage.officials import hold_if_over
from bot.storage.subscriptions import audience_sql

CHUNK = 10_000


@dataclass(frozen=True)
class Chunk:
    added: int          # recipients fixed by this chunk
    done: bool          # the last chunk: every recipient is fixed
    total: int = 0      # when done: every recipient fixed, over all chunks
    held: Started | None = None   # when done and held by the two-person rule
    stopped: bool = False   # no longer 'sending' (paused, cancelled): not done, nothing to send


async def claim(db: Database, broadcast: Broadcast, now: datetime) -> bool:
    """Mark the broadcast 'sending' (its start time kept from the first claim); False when it
    was paused or cancelled meanwhile."""
    cur = await db.write(
        "UPDATE broadcasts SET state = 'sending', started_at = COALESCE(started_at, ?)"
        " WHERE id = ? AND state IN ('scheduled', 'sending')", (iso(now), broadcast.id))
    return cur.rowcount > 0


async def fix_chunk(db: Database, broadcast: Broadcast, now: datetime, chunk: int = CHUNK,
                    limit: int | None = None) -> Chunk:
    """Fix the next `chunk` recipients, in one transaction; see the module's note."""
    where, params = audience_sql(broadcast.topic, broadcast.region, broadcast.language,
                                 broadcast.campaign)
    async with db.transaction() as conn:
        async with conn.execute("SELECT snapshotted, COALESCE((SELECT MAX(user_id) FROM"
                                " deliveries WHERE broadcast_id = ?), 0), state FROM broadcasts"
                                " WHERE id = ?", (broadcast.id, broadcast.id)) as cur:
            row = await cur.fetchone()
        if row is None or row[0]:
            return Chunk(0, True)
        if row[2] != "sending":
            return Chunk(0, False, stopped=True)
        cur = await conn.execute(
            "INSERT OR IGNORE INTO deliveries (broadcast_id, user_id, language, region)"
            " SELECT CAST(? AS BIGINT), u.user_id, u.language, u.region_code FROM subscriptions s"
            f" JOIN users u ON u.user_id = s.user_id WHERE s.user_id > ? AND {where}"
            " ORDER BY s.user_id LIMIT ?", (broadcast.id, int(row[1]), *params, chunk))
        added = cur.rowcount
        if added >= chunk:
            return Chunk(added, False)
        # Only while still 'sending': a cancel or pause committed since the read above wins.
        cur = await conn.execute("UPDATE broadcasts SET snapshotted = 1 WHERE id = ?"
                                 " AND state = 'sending'", (broadcast.id,))
        if cur.rowcount == 0:
            return Chunk(added, False, stopped=True)
        async with conn.execute("SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ?",
                                (broadcast.id,)) as cur:
            counted = await cur.fetchone()
        total = int(counted[0]) if counted else 0
        held = await hold_if_over(conn, broadcast.id, broadcast.created_by, total, limit, now)
    return Chunk(added, True, total, Started(total, held) if held else None)


async def fix_all(db: Database, broadcast: Broadcast, now: datetime, chunk: int = CHUNK,
                  limit: int | None = None) -> Started:
    """Every remaining chunk, each committed by itself (the two-person rule needs the whole
    count before anything is sent)."""
    while True:
        step = await fix_chunk(db, broadcast, now, chunk, limit)
        if step.stopped:
            return Started(0, stopped=True)
        if step.done:
            return step.held or Started(step.total)
