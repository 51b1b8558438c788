"""Is the database answering? (for /healthz)"""

from __future__ import annotations

import asyncio

from bot.storage.db import Database

PROBE_SECONDS = 2.0


async def database_reachable(db: Database | None) -> bool:
    if db is None:
        return False
    try:
        async with asyncio.timeout(PROBE_SECONDS):
            async with db.conn.execute("SELECT 1") as cur:
                return (await cur.fetchone()) is not None
    except Exception:
        return False
