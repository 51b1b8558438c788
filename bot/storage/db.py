"""The database: SQLite (WAL, the embedded default) or PostgreSQL (DATABASE_URL, pg.py), and
numbered migrations applied at start-up.

Storage functions speak one SQL to both: `?` placeholders, `INSERT OR IGNORE`, TEXT timestamps
(ISO 8601, UTC), 0/1 integers for flags. On SQLite `db.conn` is the aiosqlite connection itself
(nothing in between); on PostgreSQL it is an adapter with the same calls (pg.py) that rewrites
each statement string once. Errors are DB-API's (sqlite3's classes) on both."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.urls import is_postgres_url

log = logging.getLogger(__name__)

# NNNN_name.sql is portable (on PostgreSQL with its types widened: migrate.py); a
# NNNN_name.postgres.sql beside it replaces it there.
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+(\.postgres)?\.sql$")
DatabaseError = sqlite3.Error          # what a failed statement raises, on either backend
IntegrityError = sqlite3.IntegrityError
# The connection a transaction yields: aiosqlite's, or pg.PgConn with the same calls.
Connection = Any


def iso(moment: datetime) -> str:
    """Timestamps are stored in UTC, so that comparing them as text is comparing instants."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class MigrationError(Exception):
    pass


class DatabaseUnavailable(sqlite3.OperationalError):
    """A write refused at once: a write just failed on a locked database or a full disk."""


class StaleLeader(Exception):
    """A transaction of a leader that lost the lead (its fencing epoch is no longer the
    current one): rolled back, nothing changed (storage/leader.py). Not a DatabaseError: the
    caller must stop acting as leader, not retry."""


# A write that failed on these waits no longer for BREAKER_SECONDS: while another process
# holds the database or the disk is full, every write would otherwise wait out busy_timeout
# (5 s) in turn, and every reply behind it.
UNAVAILABLE = ("database is locked", "database or disk is full", "disk i/o error",
               "database unreachable")
BREAKER_SECONDS = 5.0
SLOW_LOCK_SECONDS = 1.0


class Database:
    """One aiosqlite connection; aiosqlite serialises calls on its own thread."""

    dialect = "sqlite"

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
        # The leader's fencing epoch (PostgreSQL, set on the leader services' own databases):
        # every transaction checks it first (pg.py). None: not fenced (SQLite, other uses).
        self.fence: int | None = None
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

    async def table_columns(self) -> dict[str, list[str]]:
        """Every table of ours and its columns (for a citizen's data export, `db copy`)."""
        async with self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name") as cur:
            tables = [row[0] for row in await cur.fetchall()]
        found: dict[str, list[str]] = {}
        for table in tables:
            async with self.conn.execute(f'PRAGMA table_info("{table}")') as cur:
                found[table] = [row[1] for row in await cur.fetchall()]
        return found

    async def probe(self) -> str:
        """ok, locked or unreachable, on a connection of its own (health.py)."""
        from bot.storage.health import probe_sqlite
        return await probe_sqlite(self.path)


async def insert_id(conn: Connection, sql: str, params: Iterable[Any]) -> int:
    """Run an INSERT into a table with an `id` key; the new row's id (rowid on SQLite,
    RETURNING on PostgreSQL)."""
    if getattr(conn, "dialect", "sqlite") == "postgres":
        async with conn.execute(sql + " RETURNING id", tuple(params)) as cur:
            row = await cur.fetchone()
        return int(row[0])
    cur = await conn.execute(sql, tuple(params))
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def _migrations(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    from bot.storage.migrate import migrations
    return migrations(dialect)


async def migrate_sqlite(conn: aiosqlite.Connection) -> None:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    migrations = _migrations("sqlite")
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


class DatabasePathError(Exception):
    """A SQLite path that cannot be the database: said in one line, never a traceback."""


def sqlite_path_problem(path: Path, create: bool = True) -> str | None:
    """Why `path` cannot be opened as the SQLite database (None: it can). `create=False`: the
    file must exist already (an operator command on a mistyped path would make a new, empty
    database and report success on it)."""
    if str(path) in ("", "."):
        return "is empty: set it to a file such as data/suara.db"
    if path.is_dir():
        return f"{path} is a directory, not a database file"
    if path.exists():
        return None if path.is_file() else f"{path} is not a regular file"
    if not create:
        return (f"{path} does not exist (a mistyped path?); `python -m bot db migrate` or the "
                "first `run` creates it")
    for above in path.parents:
        if above.exists():
            if not above.is_dir():
                return f"{above} is a file, so {path} cannot be created under it"
            if not os.access(above, os.W_OK | os.X_OK):
                return f"cannot create {path}: {above} is not writable"
            break
    return None


async def open_database(target: str | Path, migrate: bool = True) -> Database:
    """Open the database: a postgresql:// URL (pg.py), else a SQLite file, created if needed,
    in WAL mode; apply the migrations this code has and the database lacks."""
    if is_postgres_url(str(target)):
        from bot.storage.pg import open_postgres
        return await open_postgres(str(target), migrate=migrate)
    path = str(target)
    if path != ":memory:":
        problem = sqlite_path_problem(Path(path))
        if problem:
            raise DatabasePathError(f"database {problem}")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA busy_timeout=5000")
        if migrate:
            await migrate_sqlite(conn)
        await conn.execute("PRAGMA foreign_keys=ON")
    except BaseException:
        await conn.close()
        raise
    return Database(conn, path)
