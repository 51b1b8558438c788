"""storage/approvals.py on both backends: a decision is one compare-and-set with its action,
so two decisions on one request, at once or one after the other, leave exactly one winner,
and the loser reads the winner's decision."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.storage import open_database
from bot.storage.approvals import Note, Settled, approve_draft, approve_held, reject, withdraw
from bot.storage.broadcast_lists import list_broadcasts
from bot.storage.broadcasts import create_broadcast, get_broadcast
from bot.storage.db import Connection, Database
from bot.storage.officials import recent_audit, request_approval
from tests.storage.held import held

NOW = datetime(2029, 3, 1, 9, tzinfo=UTC)
ASKER, ONE, TWO = 901, 902, 903


async def approving(db: Database, request_id: int, who: int) -> Settled:
    async def create(conn: Connection) -> int:
        return await create_broadcast(db, created_by=f"tg:{ASKER}", topic="announcements",
                                      text="Rapat", not_before=NOW, now=NOW, commit=False)
    return await approve_draft(db, request_id, who, NOW, create,
                               lambda b: Note(f"tg:{who}", "broadcast.approve", f"#{b}"))


async def test_two_decisions_at_once_one_wins(database: str) -> None:
    """The second decision comes through another connection (another process's database:
    on PostgreSQL its own pool, on SQLite its own connection to the file)."""
    db = await open_database(database)
    other = await open_database(database)
    try:
        for pair in ("approve-reject", "approve-approve", "approve-withdraw"):
            request_id = await request_approval(db, ASKER, {"text": "Rapat"}, 3, NOW)
            if pair == "approve-reject":
                second = reject(other, request_id, TWO, NOW,
                                Note(f"tg:{TWO}", "broadcast.reject", "x"))
            elif pair == "approve-approve":
                second = approving(other, request_id, TWO)
            else:
                second = withdraw(other, request_id, ASKER, NOW,
                                  Note(f"tg:{ASKER}", "broadcast.withdraw", "x"))
            settled = list(await asyncio.gather(approving(db, request_id, ONE), second))
            winners = [s for s in settled if s.won]
            assert len(winners) == 1, (pair, settled)
            assert len({s.request.state for s in settled}) == 1, (pair, settled)  # the winner's
            won = winners[0].request
            assert (won.state == "approved") == (won.broadcast_id is not None), won
            # Deciding again, afterwards, changes nothing either.
            late = await reject(db, request_id, TWO, NOW, Note("x", "broadcast.reject", "late"))
            assert not late.won and late.request.state == won.state
        assert not [e for e in await recent_audit(db, 100) if e.detail == "late"]
        # One broadcast per approval that won, none for the others.
        approvals = [e for e in await recent_audit(db, 100) if e.action == "broadcast.approve"]
        assert len(await list_broadcasts(db, 100)) == len(approvals)
    finally:
        await other.close()
        await db.close()


async def test_a_held_broadcast_is_released_or_cancelled_never_both(database: str) -> None:
    db = await open_database(database)
    try:
        broadcast_id, request_id = await held(db)
        approved, rejected = await asyncio.gather(
            approve_held(db, request_id, ONE, NOW, f"tg:{ONE}",
                         lambda n: Note(f"tg:{ONE}", "broadcast.approve", f"{n}")),
            reject(db, request_id, TWO, NOW, Note(f"tg:{TWO}", "broadcast.reject", "x")))
        assert approved.won != rejected.won
        b = await get_broadcast(db, broadcast_id)
        assert b is not None
        assert b.state == ("scheduled" if approved.won else "cancelled"), (approved, b)
        assert approved.request.state == rejected.request.state
        decisions = [e.action for e in await recent_audit(db, 10)]
        assert len(decisions) == 1, decisions
    finally:
        await db.close()
