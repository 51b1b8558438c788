"""A decision on a held broadcast's request and a cancel of that broadcast, from two processes
at once on PostgreSQL: both lock the broadcast's row and the request's, and in one order, so
neither waits for the other in a cycle (a deadlock: PostgreSQL aborts one after a second, and
its press ends in an error instead of "already decided")."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage import approvals, open_database
from bot.storage.approvals import Note, approve_held, reject
from bot.storage.broadcasts import get_broadcast
from bot.storage.db import Connection
from bot.storage.officials import cancel_broadcast, get_approval
from tests.storage.held import ASKER, NOW, held

ONE = 902


@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_a_decision_and_a_cancel_at_once_never_deadlock(
        pg_admin_url: str, monkeypatch: pytest.MonkeyPatch, decision: str) -> None:
    from tests.postgres import create_database, drop_database
    url = await create_database(pg_admin_url)
    db, other = await open_database(url), await open_database(url)
    try:
        broadcast_id, request_id = await held(db)
        decided = asyncio.Event()
        settle = approvals._settle

        async def settle_then_wait(conn: Connection, *args: object, **kw: object) -> bool:
            won = await settle(conn, *args, **kw)  # type: ignore[arg-type]
            decided.set()
            await asyncio.sleep(0.5)     # the cancel, meanwhile, on the other process
            return won
        monkeypatch.setattr(approvals, "_settle", settle_then_wait)

        async def cancel() -> list[int] | None:
            await decided.wait()
            return await cancel_broadcast(other, broadcast_id, ("held",), ASKER, NOW)

        note = Note(f"tg:{ONE}", "broadcast.x", "x")
        first = (approve_held(db, request_id, ONE, NOW, f"tg:{ONE}", lambda n: note)
                 if decision == "approve" else reject(db, request_id, ONE, NOW, note))
        settled, closed = await asyncio.gather(first, cancel())
        b, request = await get_broadcast(db, broadcast_id), await get_approval(db, request_id)
        assert b is not None and request is not None
        if settled.won:           # the decision first: the cancel finds nothing held
            assert closed is None or b.state == "cancelled"
            assert request.state == ("approved" if decision == "approve" else "rejected")
        else:
            assert closed == [request_id] and request.state == "cancelled"
    finally:
        await other.close()
        await db.close()
        await drop_database(pg_admin_url, url)
