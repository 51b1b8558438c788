"""The content calendar's occurrences (`scheduled_sends`): the database is the source of truth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.broadcasts import TRANSITIONS, create_broadcast, iso
from bot.storage.db import Database, IntegrityError

REMOVED = "removed from the calendar"


@dataclass(frozen=True)
class PlannedSend:
    key: str
    due_at: datetime
    template: str
    topic: str
    region: str | None
    language: str | None
    urgent: bool

    def values(self) -> tuple[object, ...]:
        return (iso(self.due_at), self.template, self.topic, self.region, self.language,
                int(self.urgent))


@dataclass(frozen=True)
class SyncCounts:
    added: int
    rescheduled: int
    cancelled: int


async def sync_sends(db: Database, wanted: dict[str, PlannedSend], now: datetime) -> SyncCounts:
    """Make `scheduled_sends` match the calendar: add new occurrences, reschedule changed ones,
    cancel removed ones. One that was removed and comes back is pending again. Sends skipped,
    or enqueued and gone out, are history and stay as they are; one enqueued whose broadcast
    has not ended (waiting for the morning, paused, held) is cancelled with it when removed:
    the operator who takes it out of the calendar expects it not to go."""
    added = rescheduled = cancelled = 0
    async with db.transaction() as conn:
        async with conn.execute("SELECT key, due_at, template, topic, region, language, urgent,"
                                " state FROM scheduled_sends") as cur:
            existing = {row[0]: row for row in await cur.fetchall()}
        for key, send in wanted.items():
            values = send.values()
            row = existing.get(key)
            if row is None:
                await conn.execute(
                    "INSERT INTO scheduled_sends (key, due_at, template, topic, region, language,"
                    " urgent, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')", (key, *values))
                added += 1
            elif row[7] == "cancelled" or (row[7] == "pending" and tuple(row[1:7]) != values):
                await conn.execute(
                    "UPDATE scheduled_sends SET due_at = ?, template = ?, topic = ?, region = ?,"
                    " language = ?, urgent = ?, state = 'pending', reason = NULL WHERE key = ?",
                    (*values, key))
                rescheduled += 1
        for key, row in existing.items():
            if key in wanted or row[7] not in ("pending", "enqueued"):
                continue
            if row[7] == "enqueued":
                # Its broadcast ends here, and lets go of the key: put back, it can go again.
                stopped = await conn.execute(
                    "UPDATE broadcasts SET state = 'cancelled', finished_at = ?, schedule_key = NULL"
                    " WHERE schedule_key = ? AND state IN (?, ?, ?, ?)",
                    (iso(now), key, *TRANSITIONS["cancel"][0]))
                if stopped.rowcount == 0:
                    continue        # it went out already (or ended otherwise): history
            await conn.execute(
                "UPDATE scheduled_sends SET state = 'cancelled', reason = ? WHERE key = ?",
                (REMOVED, key))
            cancelled += 1
    return SyncCounts(added, rescheduled, cancelled)


async def pending_sends(db: Database) -> list[tuple[str, datetime]]:
    async with db.conn.execute(
            "SELECT key, due_at FROM scheduled_sends WHERE state = 'pending' ORDER BY due_at") as cur:
        return [(key, datetime.fromisoformat(due)) for key, due in await cur.fetchall()]


async def send_states(db: Database) -> dict[str, tuple[str, str | None]]:
    async with db.conn.execute("SELECT key, state, reason FROM scheduled_sends") as cur:
        return {row[0]: (row[1], row[2]) for row in await cur.fetchall()}


async def skip_send(db: Database, key: str, reason: str) -> bool:
    cur = await db.write(
        "UPDATE scheduled_sends SET state = 'skipped', reason = ? WHERE key = ? AND state = 'pending'",
        (reason, key))
    return cur.rowcount > 0


async def enqueue_send(db: Database, key: str, now: datetime) -> int | None:
    """Turn a pending scheduled send into a broadcast, at most once (unique schedule key).
    None when it is not pending (already enqueued, skipped, cancelled, unknown)."""
    async with db.transaction() as conn:
        async with conn.execute("SELECT template, topic, region, language, urgent, state"
                                " FROM scheduled_sends WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        if row is None or row[5] != "pending":
            return None
        # Already in the outbox (a crash between the two writes): never twice.
        async with conn.execute("SELECT id FROM broadcasts WHERE schedule_key = ?",
                                (key,)) as cur:
            found = await cur.fetchone()
        broadcast_id: int | None = int(found[0]) if found else None
        try:
            broadcast_id = broadcast_id or await create_broadcast(
                db, created_by=f"schedule:{key}", topic=row[1], template=row[0], region=row[2],
                language=row[3], urgent=bool(row[4]), not_before=now, now=now, schedule_key=key,
                commit=False)
        except IntegrityError:   # another process enqueued it just now (SQLite)
            async with conn.execute("SELECT id FROM broadcasts WHERE schedule_key = ?",
                                    (key,)) as cur:
                found = await cur.fetchone()
            broadcast_id = int(found[0]) if found else None
        await conn.execute(
            "UPDATE scheduled_sends SET state = 'enqueued', broadcast_id = ? WHERE key = ?",
            (broadcast_id, key))
    return broadcast_id
