"""Updates a process admitted and never handled, taken over by a live one (PostgreSQL).

The webhook admits an update (storage/turns.admit: recorded as handled, queued under its chat)
before it answers Telegram 200, and Telegram never sends an update it had 200 for again. A
process that dies (kill -9, a lost host) or hangs between that 200 and the update's release
would lose it: its queued row, written with the update as received (`payload`) and the
process's id (`owner`, its row in `processes`, published every 0.25 s), stays. A row older
than a chat's turn whose owner has published nothing for OWNER_SILENT seconds is taken, once
(SKIP LOCKED: however many processes look), by a live process, never its own (what it
admitted is in its own hands, however late its heartbeat), which handles the update
(bot/recovery.py). Taken, the row stays queued, now the taker's and as young as a new one:
the chat's later updates wait for it as for any earlier one, and should the taker die too,
another takes it in turn. A process that hangs and comes back handles what it held too: those
updates are answered twice, never lost."""

from __future__ import annotations

from bot.storage.db import Database
from bot.storage.flood import CLOCK
from bot.storage.turns import TURN_SECONDS

OWNER_SILENT = 3.0    # seconds without a publication: the owner is dead or hangs
BATCH = 100           # updates taken over per statement

_TAKE = (
    f"WITH {CLOCK}, lost AS (SELECT q.update_id FROM chat_queue q, clock"
    f" WHERE q.payload IS NOT NULL AND q.since < clock.ms - {int(TURN_SECONDS * 1000)}"
    " AND q.owner <> ? AND NOT EXISTS (SELECT 1 FROM processes p WHERE p.id = q.owner"
    " AND p.heartbeat > EXTRACT(EPOCH FROM clock_timestamp()) - ?)"
    " ORDER BY q.update_id LIMIT ? FOR UPDATE OF q SKIP LOCKED)"
    " UPDATE chat_queue d SET owner = ?, since = clock.ms FROM lost, clock"
    " WHERE d.update_id = lost.update_id RETURNING d.update_id, d.payload")


async def take_lost(db: Database, me: str, silent: float = OWNER_SILENT, limit: int = BATCH
                    ) -> list[tuple[int, str]]:
    """The updates (id, as received) whose process died or hangs, now `me`'s (this process's
    id in `processes`), in update_id order."""
    async with db.conn.execute(_TAKE, (me, silent, limit, me)) as cur:
        rows = await cur.fetchall()
    return sorted((int(r[0]), str(r[1])) for r in rows)
