"""Outbox recipients claimed by the leader of several processes (PostgreSQL): a fenced claim
per batch, so that no two processes send the same message (bot/leadership.py)."""

from __future__ import annotations

from bot.storage.broadcasts import Recipient
from bot.storage.db import Database


async def claim_batch(db: Database, broadcast_id: int, after_user: int, limit: int,
                      day: str) -> list[Recipient]:
    """PostgreSQL: the next recipients, claimed for the leader's epoch in one fenced
    transaction (a stale leader claims nothing); rows another transaction is claiming are
    skipped, never waited for (FOR UPDATE SKIP LOCKED)."""
    async with db.transaction() as conn, conn.execute(
            "WITH picked AS (SELECT user_id FROM deliveries WHERE broadcast_id = ?"
            " AND outcome IS NULL AND user_id > ? ORDER BY user_id LIMIT ?"
            " FOR UPDATE SKIP LOCKED),"
            " claimed AS (UPDATE deliveries d SET claimed_epoch = ? FROM picked p"
            " WHERE d.broadcast_id = ? AND d.user_id = p.user_id"
            " RETURNING d.user_id, d.language, d.region, d.attempts)"
            " SELECT c.user_id, c.language, c.region, c.attempts, COALESCE(n.count, 0)"
            " FROM claimed c LEFT JOIN daily_counts n ON n.user_id = c.user_id AND n.day = ?"
            " ORDER BY c.user_id", (broadcast_id, after_user, limit, db.fence, broadcast_id,
                                    day)) as cur:
        return [Recipient(*row) for row in await cur.fetchall()]
