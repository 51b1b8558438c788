"""A request to approve an announcement whose broadcast is held for it: what the approval
tests on both backends start from."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.broadcasts import create_broadcast, set_state
from bot.storage.db import Database
from bot.storage.officials import add_approval

NOW = datetime(2029, 3, 1, 9, tzinfo=UTC)
ASKER = 901


async def held(db: Database) -> tuple[int, int]:
    """(the held broadcast's id, the request's id): two approvals needed, one to go."""
    broadcast_id = await create_broadcast(db, created_by=f"tg:{ASKER}", topic="announcements",
                                          text="Rapat", not_before=NOW, now=NOW)
    assert await set_state(db, broadcast_id, ("scheduled",), "held")
    async with db.transaction() as conn:
        request_id = await add_approval(conn, ASKER, {"held": True, "limit": 1}, 2, NOW,
                                        broadcast_id=broadcast_id)
    return broadcast_id, request_id
