"""The answer model shared by the bot's processes (PostgreSQL; bot/faq/shared.py uses it).

`model_cache`: a trained stage's bytes and signature under the fingerprint of what it learned
from. `sentence_vectors`: sentence vectors per text, as float32 bytes. `TrainingLock`: one
process trains a stage while the others wait for its row: a session advisory lock on a
connection of its own, which the server lets go when the process dies (the connection closes)
or hangs (the holder says `SELECT 1` every HEARTBEAT seconds from its event loop while its
threads train; a session silent for IDLE_SESSION is ended). SQLite keeps the model in files
(bot/faq/trainer.py, embeddings.py): `shares_models` is False there."""

from __future__ import annotations

import asyncio
import logging
import zlib
from datetime import datetime
from typing import TYPE_CHECKING

from bot.storage.db import Database, iso
from bot.tasks import cancel_and_wait

if TYPE_CHECKING:
    import asyncpg

log = logging.getLogger(__name__)

KEEP = 8                   # stages kept (two per content version: the last four versions)
TRAINING_LOCK = 0x53554D   # pg_advisory_lock(class, key) class: "SUM"; key: crc32 of the stage
HEARTBEAT = 5.0
IDLE_SESSION = 30.0


def shares_models(db: Database) -> bool:
    """Whether the model lives in the database (several processes) or in files (one)."""
    return db.dialect == "postgres"


async def load_stage(db: Database, key: str) -> tuple[bytes, str] | None:
    """(data, signature) of the stage stored under `key`, if one is."""
    async with db.conn.execute("SELECT data, signature FROM model_cache WHERE key = ?",
                               (key,)) as cur:
        row = await cur.fetchone()
    return None if row is None else (bytes(row[0]), str(row[1]))


async def store_stage(db: Database, key: str, data: bytes, signature: str,
                      now: datetime) -> None:
    """Store a stage (one trained from the same samples replaces it: one with a signature
    of another key) and forget all but the KEEP newest."""
    await db.conn.execute(
        "INSERT INTO model_cache (key, data, signature, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data,"
        " signature = EXCLUDED.signature, created_at = EXCLUDED.created_at",
        (key, data, signature, iso(now)))
    await db.conn.execute(
        "DELETE FROM model_cache WHERE key NOT IN"
        " (SELECT key FROM model_cache ORDER BY created_at DESC, key LIMIT ?)", (KEEP,))


async def load_vectors(db: Database, model: str) -> dict[str, bytes]:
    """Every stored sentence vector of `model` (text key -> float32 bytes)."""
    async with db.conn.execute("SELECT key, vector FROM sentence_vectors WHERE model = ?",
                               (model,)) as cur:
        return {str(k): bytes(v) for k, v in await cur.fetchall()}


async def store_vectors(db: Database, model: str, rows: list[tuple[str, bytes]]) -> None:
    await db.conn.executemany(
        "INSERT INTO sentence_vectors (model, key, vector) VALUES (?, ?, ?)"
        " ON CONFLICT (model, key) DO NOTHING", [(model, k, v) for k, v in rows])


class TrainingLock:
    """Held by the one process training the stage `key` (PostgreSQL)."""

    def __init__(self, url: str, key: str) -> None:
        self.url, self.key = url, zlib.crc32(key.encode()) - 2**31   # a signed int4
        self._conn: asyncpg.Connection | None = None
        self._beat: asyncio.Task[None] | None = None

    async def try_acquire(self) -> bool:
        """Take the lock if it is free (the connection stays open for the next try)."""
        import asyncpg
        if self._conn is None:
            ms = str(int(IDLE_SESSION * 1000))
            self._conn = await asyncpg.connect(
                self.url, timeout=10, command_timeout=10,
                server_settings={"application_name": "suara-training",
                                 "idle_session_timeout": ms, "tcp_keepalives_idle": "10",
                                 "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"})
        won = bool(await self._conn.fetchval("SELECT pg_try_advisory_lock($1, $2)",
                                             TRAINING_LOCK, self.key))
        if won:
            self._beat = asyncio.create_task(self._heartbeat(self._conn), name="training-lock")
        return won

    async def _heartbeat(self, conn: asyncpg.Connection) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            try:
                await conn.fetchval("SELECT 1")
            except Exception as exc:   # the lock is gone: another process may train too
                log.warning("answer model: training lock lost (%s)", type(exc).__name__)
                return

    async def release(self) -> None:
        """Let go of the lock (if held) and of the connection."""
        beat, self._beat = self._beat, None
        await cancel_and_wait(beat)
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()       # the session, and with it the lock, ends at once
