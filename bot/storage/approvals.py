"""Deciding a request for a second official (the two-person rule): approved, rejected, or
withdrawn by its requester. Each decision is one transaction that moves the request from
'pending' to its decided state only if it is still pending (a compare-and-set), together with
what the decision does (the broadcast launched or released, or the held one cancelled) and its
audit entry. Two officials pressing at the same moment, on one process or two, or an approval
and its requester's withdrawal: the first to commit wins, the other changes nothing and reads
the request as the winner left it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Connection, Database, iso
from bot.storage.officials import Approval, add_audit, get_approval, release

Create = Callable[[Connection], Awaitable[int]]
PENDING_SHOWN = 5       # a requester's own pending requests listed in /jadwal


@dataclass(frozen=True)
class Note:
    """The audit entry written with a decision."""
    actor: str
    action: str
    detail: str
    audience: str | None = None
    count: int | None = None


@dataclass(frozen=True)
class Settled:
    won: bool              # this decision moved the request; else another came first
    request: Approval      # as it stands now (the winner's decision, when this one lost)
    count: int | None = None    # a held broadcast released: its recipients


class _Undo(Exception):
    """Raised inside a decision's transaction to roll it back whole."""


async def _settle(conn: Connection, approval_id: int, by: int, state: str, now: datetime,
                  own: bool = False) -> bool:
    """The compare-and-set: pending -> `state`, decided by `by`; never by the requester
    (`own`: only by the requester, for a withdrawal of a request from a draft)."""
    who = ("requested_by = ? AND broadcast_id IS NULL" if own else "requested_by <> ?")
    cur = await conn.execute(
        "UPDATE approvals SET state = ?, decided_by = ?, decided_at = ?"
        f" WHERE id = ? AND state = 'pending' AND {who}",
        (state, by, iso(now), approval_id, by))
    return bool(cur.rowcount > 0)


async def _lock_broadcast(db: Database, conn: Connection, approval_id: int) -> None:
    """PostgreSQL: the request's broadcast's row locked first, as a cancel (officials.
    cancel_broadcast) and the engine lock it before the request's: taking the request's first
    and then the broadcast's, a decision and a cancel at once deadlocked (one aborted, its press
    an error). SQLite: BEGIN IMMEDIATE has the whole database already."""
    if db.dialect == "postgres":
        await conn.execute("SELECT id FROM broadcasts WHERE id = (SELECT broadcast_id FROM"
                           " approvals WHERE id = ?) FOR UPDATE", (approval_id,))


async def _now_stands(db: Database, approval_id: int, won: bool, count: int | None = None
                      ) -> Settled:
    request = await get_approval(db, approval_id)
    assert request is not None      # requests are never deleted
    return Settled(won, request, count)


async def reject(db: Database, approval_id: int, by: int, now: datetime, note: Note) -> Settled:
    """Rejected (or refused on approval): the broadcast it would release, if the engine held
    one, is cancelled in the same transaction."""
    return await _close_held(db, approval_id, by, "rejected", now, note)


async def _cancel_held(conn: Connection, approval_id: int, now: datetime) -> None:
    """The broadcast the engine held for this request, if any, cancelled."""
    await conn.execute(
        "UPDATE broadcasts SET state = 'cancelled', finished_at = ? WHERE state = 'held'"
        " AND id = (SELECT a.broadcast_id FROM approvals a WHERE a.id = ?)",
        (iso(now), approval_id))


async def _close_held(db: Database, approval_id: int, by: int, state: str, now: datetime,
                      note: Note) -> Settled:
    async with db.transaction() as conn:
        await _lock_broadcast(db, conn, approval_id)
        won = await _settle(conn, approval_id, by, state, now)
        if won:
            await _cancel_held(conn, approval_id, now)
            await _audit(conn, now, note)
    return await _now_stands(db, approval_id, won)


async def withdraw(db: Database, approval_id: int, by: int, now: datetime, note: Note
                   ) -> Settled:
    """The requester takes back their own request from a draft ('cancelled', decided by them);
    a held broadcast's request closes when the broadcast is cancelled (/jadwal)."""
    async with db.transaction() as conn:
        won = await _settle(conn, approval_id, by, "cancelled", now, own=True)
        if won:
            await _audit(conn, now, note)
    return await _now_stands(db, approval_id, won)


async def approve_draft(db: Database, approval_id: int, by: int, now: datetime,
                        create: Create, note: Callable[[int], Note]) -> Settled:
    """Approved: `create` makes the broadcast (and its own audit entry) in the same
    transaction, the request links it, and `note(broadcast id)` is recorded."""
    async with db.transaction() as conn:
        won = await _settle(conn, approval_id, by, "approved", now)
        if won:
            broadcast_id = await create(conn)
            await conn.execute("UPDATE approvals SET broadcast_id = ? WHERE id = ?",
                               (broadcast_id, approval_id))
            await _audit(conn, now, note(broadcast_id))
    return await _now_stands(db, approval_id, won)


async def approve_held(db: Database, approval_id: int, by: int, now: datetime,
                       approved_by: str, note: Callable[[int], Note]) -> Settled:
    """Approved: the held broadcast goes out (officials.release) in the same transaction;
    `note(recipients)` is recorded. A broadcast no longer held (which a pending request's
    should not be) undoes the decision: not won, the request still pending."""
    try:
        async with db.transaction() as conn:
            await _lock_broadcast(db, conn, approval_id)
            won = await _settle(conn, approval_id, by, "approved", now)
            count = None
            if won:
                async with conn.execute("SELECT broadcast_id, recipients FROM approvals"
                                        " WHERE id = ?", (approval_id,)) as cur:
                    row = await cur.fetchone()
                assert row is not None
                count = await release(conn, int(row[0]), approved_by, int(row[1]))
                if count is None:
                    raise _Undo
                await _audit(conn, now, note(count))
    except _Undo:
        return await _now_stands(db, approval_id, False)
    return await _now_stands(db, approval_id, won, count)


async def _audit(conn: Connection, now: datetime, note: Note) -> None:
    await add_audit(conn, now, note.actor, note.action, note.detail, note.audience, note.count)


async def pending_of(db: Database, requested_by: int, limit: int = PENDING_SHOWN
                     ) -> tuple[list[Approval], int]:
    """An official's own requests from drafts still waiting for a second official, oldest
    first (at most `limit`), and how many there are."""
    async with db.conn.execute(
            "SELECT COUNT(*) FROM approvals WHERE requested_by = ? AND state = 'pending'"
            " AND broadcast_id IS NULL", (requested_by,)) as cur:
        row = await cur.fetchone()
    total = int(row[0]) if row else 0
    if not total:
        return [], 0
    async with db.conn.execute(
            "SELECT id FROM approvals WHERE requested_by = ? AND state = 'pending'"
            " AND broadcast_id IS NULL ORDER BY id LIMIT ?", (requested_by, limit)) as cur:
        ids = [int(r[0]) for r in await cur.fetchall()]
    found = [a for a in [await get_approval(db, i) for i in ids] if a is not None]
    return found, total


# -- the messages a request was sent as (migration 0024) ----------------------------------

async def keep_message(db: Database, approval_id: int, chat_id: int, message_id: int) -> None:
    """The request message an approver got (one per approver: a later one replaces it)."""
    await db.write("INSERT INTO approval_messages (approval_id, chat_id, message_id)"
                   " VALUES (?, ?, ?) ON CONFLICT (approval_id, chat_id) DO UPDATE SET"
                   " message_id = excluded.message_id", (approval_id, chat_id, message_id))


async def messages_of(db: Database, approval_id: int) -> list[tuple[int, int]]:
    """(chat id, message id) of each approver's request message still kept."""
    async with db.conn.execute("SELECT chat_id, message_id FROM approval_messages"
                               " WHERE approval_id = ? ORDER BY chat_id", (approval_id,)) as cur:
        return [(int(r[0]), int(r[1])) for r in await cur.fetchall()]


async def take_messages(db: Database, approval_id: int) -> list[tuple[int, int]]:
    """(chat id, message id) of each request message still kept, taken (deleted) in one
    statement: of a decider and the leader's sweep closing them at once, each message goes to
    one, and is edited once."""
    async with db.transaction() as conn:
        async with conn.execute("DELETE FROM approval_messages WHERE approval_id = ?"
                                " RETURNING chat_id, message_id", (approval_id,)) as cur:
            rows = [(int(r[0]), int(r[1])) for r in await cur.fetchall()]
    return sorted(rows)


async def forget_messages(db: Database, approval_id: int, chats: list[int]) -> None:
    """A settled request's messages, once edited (or found gone), are not kept."""
    for chat_id in chats:
        await db.write("DELETE FROM approval_messages WHERE approval_id = ? AND chat_id = ?",
                       (approval_id, chat_id))


async def settled_with_messages(db: Database, before: datetime | None = None,
                                broadcast_id: int | None = None, limit: int = 50) -> list[int]:
    """Settled requests whose approvers' messages are still kept (not yet edited): decided at
    `before` or earlier, or those of one broadcast."""
    sql = ("SELECT DISTINCT m.approval_id FROM approval_messages m JOIN approvals a"
           " ON a.id = m.approval_id WHERE a.state <> 'pending'")
    params: list[object] = []
    if before is not None:
        sql += " AND (a.decided_at IS NULL OR a.decided_at <= ?)"
        params.append(iso(before))
    if broadcast_id is not None:
        sql += " AND a.broadcast_id = ?"
        params.append(broadcast_id)
    async with db.conn.execute(sql + " ORDER BY m.approval_id LIMIT ?", (*params, limit)) as cur:
        return [int(r[0]) for r in await cur.fetchall()]


async def close_for(db: Database, approval_id: int, by: int, now: datetime, note: Note
                    ) -> Settled:
    """Closed for its requester by another (a super-admin who took away the role or region the
    request needs: it could never be approved): 'cancelled', decided by `by`; a broadcast the
    engine held for it is cancelled in the same transaction."""
    return await _close_held(db, approval_id, by, "cancelled", now, note)


async def pending_requests(db: Database, requested_by: int) -> list[Approval]:
    """Every request of this official still waiting (from drafts and held broadcasts)."""
    async with db.conn.execute("SELECT id FROM approvals WHERE requested_by = ?"
                               " AND state = 'pending' ORDER BY id", (requested_by,)) as cur:
        ids = [int(r[0]) for r in await cur.fetchall()]
    return [a for a in [await get_approval(db, i) for i in ids] if a is not None]


async def waiting_on(db: Database, chat_id: int) -> list[tuple[Approval, int]]:
    """The waiting requests this official was asked to decide, each with its message's id."""
    async with db.conn.execute(
            "SELECT m.approval_id, m.message_id FROM approval_messages m JOIN approvals a ON"
            " a.id = m.approval_id WHERE m.chat_id = ? AND a.state = 'pending'"
            " ORDER BY m.approval_id", (chat_id,)) as cur:
        rows = [(int(r[0]), int(r[1])) for r in await cur.fetchall()]
    found = [(await get_approval(db, a), m) for a, m in rows]
    return [(a, m) for a, m in found if a is not None]


async def refuse_unapprovable(db: Database, approval_id: int, now: datetime, note: Note) -> bool:
    """Rejected by the bot itself (decided by nobody): a request nobody may approve (its
    requester no longer has the role or region for its audience), with the broadcast held for
    it cancelled, in one transaction. False when it was no longer pending."""
    async with db.transaction() as conn:
        await _lock_broadcast(db, conn, approval_id)
        cur = await conn.execute("UPDATE approvals SET state = 'rejected', decided_at = ?"
                                 " WHERE id = ? AND state = 'pending'", (iso(now), approval_id))
        won = cur.rowcount > 0
        if won:
            await _cancel_held(conn, approval_id, now)
            await _audit(conn, now, note)
    return bool(won)
