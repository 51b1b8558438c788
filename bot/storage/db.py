"""SQLite connection (WAL) and numbered migrations applied at start-up."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(Exception):
    pass


class Database:
    """One aiosqlite connection; aiosqlite serialises calls on its own thread."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        # One writer at a time on this connection: handlers of different chats run at once,
        # and a transaction begun while another coroutine's is open fails ("cannot start a
        # transaction within a transaction"), or takes the other's statements with it.
        self._write = asyncio.Lock()

    async def close(self) -> None:
        await self.conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE): committed when the block
        ends, rolled back whole on any exception, cancellation included."""
        async with self._write:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            await self.conn.commit()

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
