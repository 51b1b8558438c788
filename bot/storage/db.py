"""SQLite connection (WAL) and numbered migrations applied at start-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def iso(moment: datetime) -> str:
    """Timestamps are stored in UTC, so that comparing them as text is comparing instants."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class MigrationError(Exception):
    pass


class DatabaseUnavailable(sqlite3.OperationalError):
    """A write refused at once: a write just failed on a locked database or a full disk."""


# A write that failed on these waits no longer for BREAKER_SECONDS: while another process
# holds the database or the disk is full, every write would otherwise wait out busy_timeout
# (5 s) in turn, and every reply behind it.
UNAVAILABLE = ("database is locked", "database or disk is full", "disk i/o error")
BREAKER_SECONDS = 5.0
SLOW_LOCK_SECONDS = 1.0


class Database:
    """One aiosqlite connection; aiosqlite serialises calls on its own thread."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        # One writer at a time on this connection: handlers of different chats run at once,
        # and a transaction begun while another coroutine's is open fails ("cannot start a
        # transaction within a transaction"), or takes the other's statements with it.
        self._write = asyncio.Lock()
        self.unavailable_until = 0.0
        self.last_error: str | None = None     # why the last write failed, if it did
        self.last_error_at = 0.0               # time.monotonic() of that failure
        self.last_ok_at = 0.0                  # of the last committed write
        self.breaker_seconds = BREAKER_SECONDS
        # Rows this process keeps in memory (users.py: recent users), kept true by the storage
        # functions that change them; no other process changes them.
        self.cache: dict[str, Any] = {}

    async def close(self) -> None:
        await self.conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE): committed when the block
        ends, rolled back whole on any exception, cancellation included."""
        async with self._write:
            if time.monotonic() < self.unavailable_until:
                raise DatabaseUnavailable(f"not writing for now: {self.last_error}")
            asked = time.monotonic()
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                self._failed(exc)
                raise
            waited = time.monotonic() - asked
            if waited > SLOW_LOCK_SECONDS:   # someone else held the database: worth knowing
                log.warning("database write waited %.1f s for a lock held elsewhere", waited)
            try:
                yield self.conn
                await self.conn.commit()
            except BaseException as exc:
                # A failed COMMIT (busy, full) leaves the transaction open: close it too.
                with contextlib.suppress(Exception):
                    await self.conn.rollback()
                if isinstance(exc, sqlite3.OperationalError):
                    self._failed(exc)
                raise
            self.last_ok_at = time.monotonic()

    def _failed(self, exc: sqlite3.OperationalError) -> None:
        reason = str(exc).lower()
        if any(kind in reason for kind in UNAVAILABLE):
            self.last_error, self.last_error_at = str(exc), time.monotonic()
            self.unavailable_until = self.last_error_at + self.breaker_seconds
            log.warning("database write failed (%s); writes refused for %.0f s", exc,
                        self.breaker_seconds)

    def write_trouble(self) -> str | None:
        """The last write failure, if no write has succeeded since (for /readyz)."""
        if self.last_error and self.last_error_at > self.last_ok_at:
            return self.last_error
        return None

    async def write(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Cursor:
        """One statement in its own transaction (see transaction())."""
        async with self.transaction() as conn:
            return await conn.execute(sql, tuple(params))


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for item in resources.files("bot.storage").joinpath("migrations").iterdir():
        match = MIGRATION_NAME.match(item.name)
        if match:
            found.append((int(match.group(1)), item.name, item.read_text(encoding="utf-8")))
        elif item.name.endswith(".sql"):
            raise MigrationError(f"migration file name {item.name!r} is not NNNN_name.sql")
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise MigrationError(f"migrations must be numbered 1..N without gaps, found {numbers}")
    return found


async def _migrate(conn: aiosqlite.Connection) -> None:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    migrations = _migrations()
    if current > len(migrations):
        raise MigrationError(
            f"database is at schema version {current}, newer than this code ({len(migrations)})"
        )
    if current == len(migrations):
        return
    # Rebuilding a table (the way SQLite changes a constraint) needs foreign keys off; the
    # pragma only takes effect outside a transaction. They are checked before each commit, and
    # open_database turns them back on.
    await conn.execute("PRAGMA foreign_keys=OFF")
    for number, name, sql in migrations[current:]:
        log.info("applying migration %s", name)
        # executescript commits first; wrap each migration so it applies whole or not at all.
        await conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\n")
        async with conn.execute("PRAGMA foreign_key_check") as cur:
            broken = await cur.fetchall()
        if broken:
            await conn.rollback()
            raise MigrationError(f"migration {name} breaks foreign keys: {list(broken)[:5]}")
        await conn.commit()


async def open_database(path: str | Path) -> Database:
    """Open (creating if needed) the database file, enable WAL and apply migrations."""
    path = str(path)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA busy_timeout=5000")
        await _migrate(conn)
        await conn.execute("PRAGMA foreign_keys=ON")
    except BaseException:
        await conn.close()
        raise
    return Database(conn, path)
