"""Is the database answering, and can it be written? (for /readyz)

Probed on a connection of its own, in a thread: the bot's connection may be waiting behind a
locked database, and /readyz must answer all the same."""

from __future__ import annotations

import asyncio
import sqlite3

from bot.storage.db import Database

PROBE_SECONDS = 2.0
LOCK_WAIT_SECONDS = 0.2


def _probe(path: str) -> str:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=LOCK_WAIT_SECONDS,
                               isolation_level=None)
    except sqlite3.Error:
        return "unreachable"
    try:
        conn.execute("SELECT 1").fetchone()
        try:   # can a writer get in? (released at once; our own writes take milliseconds)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            return "locked" if "locked" in str(exc).lower() else "unreachable"
        return "ok"
    except sqlite3.Error:
        return "unreachable"
    finally:
        conn.close()


async def probe_sqlite(path: str) -> str:
    if path == ":memory:":
        return "ok"
    try:
        async with asyncio.timeout(PROBE_SECONDS):
            return await asyncio.to_thread(_probe, path)
    except TimeoutError:
        return "unreachable"


async def database_state(db: Database | None) -> str:
    """ok, locked (another process holds it), full (writes fail: disk full), failing
    (another write error) or unreachable. (PostgreSQL: its own probe, pg.py.)"""
    if db is None:
        return "unreachable"
    state = await db.probe()
    trouble = db.write_trouble()
    if state == "ok" and trouble:
        return "full" if "full" in trouble.lower() else (
            "locked" if "locked" in trouble.lower() else "failing")
    return state
