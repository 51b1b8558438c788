"""PostgreSQL behind the storage API (DATABASE_URL): asyncpg, a small pool, and the one SQL
the storage functions write, rewritten once per statement string (sqlstyle.py).

`db.conn` here is a PgConn with aiosqlite's calls (execute as awaitable or `async with`,
executemany, fetchone/fetchall, rowcount); a read outside a transaction takes a pooled
connection, a statement inside `transaction()` (the caller's task) runs on the transaction's.
Errors come out as DB-API's classes (sqlite3's), so callers catch one kind."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.storage.db import (
    SLOW_LOCK_SECONDS,
    Database,
    DatabaseUnavailable,
    StaleLeader,
)
from bot.storage.migrate import migrate_postgres
from bot.storage.pgcursor import Pending, PgCursor, status_count
from bot.storage.sqlstyle import to_postgres
from bot.storage.urls import redact_url

log = logging.getLogger(__name__)

POOL_SIZE = 4
CONNECT_SECONDS = 10.0
STATEMENT_SECONDS = 60.0
PROBE_SECONDS = 2.0
IDLE_IN_TRANSACTION = "5s"   # the storage functions' transactions are short
_UNAVAILABLE = (OSError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError,
                asyncpg.TooManyConnectionsError, asyncpg.ConnectionDoesNotExistError)


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """asyncpg's errors as DB-API's: integrity as IntegrityError, the rest OperationalError
    (a lost connection reads 'disk i/o error'-like to the breaker: 'database unreachable')."""
    try:
        yield
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise sqlite3.IntegrityError(f"{type(exc).__name__}: {exc}") from exc
    except asyncpg.PostgresError as exc:
        raise sqlite3.OperationalError(f"{type(exc).__name__}: {exc}") from exc
    except _UNAVAILABLE as exc:
        raise sqlite3.OperationalError(f"database unreachable ({type(exc).__name__})") from exc


_in_transaction: contextvars.ContextVar[asyncpg.Connection | None] = contextvars.ContextVar(
    "suara_pg_transaction", default=None)


class RoundTrips:
    """Requests this process's storage API sent to PostgreSQL (statements, BEGIN, COMMIT):
    /metrics shows them, so the cost per update can be measured (benchmarks.load)."""

    def __init__(self) -> None:
        self.count = 0


class PgConn:
    """aiosqlite's calls over asyncpg: on `bound` (a transaction's connection), else on the
    caller's open transaction, else on a pooled connection for this one statement."""

    dialect = "postgres"

    def __init__(self, pool: asyncpg.Pool, bound: asyncpg.Connection | None = None,
                 trips: RoundTrips | None = None) -> None:
        self._pool = pool
        self._bound = bound
        self.trips = trips or RoundTrips()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        conn = self._bound or _in_transaction.get()
        if conn is not None:
            yield conn
            return
        async with self._pool.acquire() as pooled:
            yield pooled

    def execute(self, sql: str, params: Iterable[Any] = ()) -> Pending:
        statement, returns_rows = to_postgres(sql)
        args = tuple(params)

        async def run() -> PgCursor:
            self.trips.count += 1
            with _translated():
                async with self._connection() as conn:
                    if returns_rows:
                        rows = await conn.fetch(statement, *args, timeout=STATEMENT_SECONDS)
                        return PgCursor(rows, len(rows))
                    status = await conn.execute(statement, *args, timeout=STATEMENT_SECONDS)
                    return PgCursor([], status_count(status))
        return Pending(run)

    async def commit(self) -> None:
        """Outside transaction() each statement commits by itself: nothing to do."""

    async def executemany(self, sql: str, seq: Iterable[Iterable[Any]]) -> None:
        statement, _ = to_postgres(sql)
        rows = [tuple(p) for p in seq]
        if not rows:
            return
        self.trips.count += 1
        with _translated():
            async with self._connection() as conn:
                await conn.executemany(statement, rows, timeout=STATEMENT_SECONDS)


class PgDatabase(Database):
    """The storage API's Database over a pool; writes one at a time per process, as on SQLite
    (the callers' transactions are short and were written for that)."""

    dialect = "postgres"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self.round_trips = RoundTrips()
        self.pg_conn = PgConn(pool, trips=self.round_trips)
        super().__init__(self.pg_conn, redact_url(url))   # type: ignore[arg-type]
        self.pool = pool

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.pool.close(), 5)
        except TimeoutError:      # a connection still busy: closed all the same
            self.pool.terminate()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgConn]:   # type: ignore[override]
        async with self._write:
            if time.monotonic() < self.unavailable_until:
                raise DatabaseUnavailable(f"not writing for now: {self.last_error}")
            asked = time.monotonic()
            try:
                with _translated():
                    conn = await self.pool.acquire(timeout=CONNECT_SECONDS)
            except sqlite3.OperationalError as exc:
                self._failed(exc)
                raise
            token = _in_transaction.set(conn)
            try:
                if time.monotonic() - asked > SLOW_LOCK_SECONDS:
                    log.warning("database write waited %.1f s for a connection",
                                time.monotonic() - asked)
                tx = conn.transaction()
                self.round_trips.count += 2 + (self.fence is not None)  # BEGIN, COMMIT, fence
                with _translated():
                    await tx.start()
                try:
                    if self.fence is not None:
                        await check_fence(conn, self.fence)
                    yield PgConn(self.pool, conn, self.round_trips)
                    with _translated():
                        await tx.commit()
                except BaseException as exc:
                    with contextlib.suppress(Exception):
                        await tx.rollback()
                    if isinstance(exc, sqlite3.OperationalError):
                        self._failed(exc)
                    raise
            finally:
                _in_transaction.reset(token)
                await self.pool.release(conn)
            self.last_ok_at = time.monotonic()

    async def write(self, sql: str, params: Iterable[Any] = ()) -> PgCursor:  # type: ignore[override]
        """One statement, a transaction by itself: no BEGIN/COMMIT round trips, no wait for
        this process's other writes. A leader's (fenced) one checks its epoch first."""
        if self.fence is not None:
            async with self.transaction() as conn:
                return await conn.execute(sql, tuple(params))
        if time.monotonic() < self.unavailable_until:
            raise DatabaseUnavailable(f"not writing for now: {self.last_error}")
        try:
            cursor = await self.pg_conn.execute(sql, tuple(params))
        except sqlite3.OperationalError as exc:
            self._failed(exc)
            raise
        self.last_ok_at = time.monotonic()
        return cursor

    async def table_columns(self) -> dict[str, list[str]]:
        async with self.conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name <> 'suara_schema'"
                " ORDER BY table_name, ordinal_position") as cur:
            rows = await cur.fetchall()
        found: dict[str, list[str]] = {}
        for table, column in rows:
            found.setdefault(table, []).append(column)
        return found

    async def probe(self) -> str:
        """ok, or unreachable (for /readyz)."""
        try:
            async with asyncio.timeout(PROBE_SECONDS):
                async with self.pool.acquire() as conn:
                    await conn.fetchval("SELECT 1")
        except (TimeoutError, asyncpg.PostgresError, *_UNAVAILABLE):
            return "unreachable"
        return "ok"


async def check_fence(conn: asyncpg.Connection, epoch: int) -> None:
    """The fencing check, first in a leader's transaction: the epoch is still `epoch`, and the
    row stays shared-locked until the commit, so a new leader's epoch increment waits for this
    transaction (it commits whole before the new leadership, or not at all)."""
    with _translated():
        current = await conn.fetchval(
            "SELECT epoch FROM leadership WHERE one = 1 FOR SHARE", timeout=STATEMENT_SECONDS)
    if current != epoch:
        raise StaleLeader(f"leadership epoch {epoch} is over (now {current})")


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """A pooled connection goes back with no reset query (asyncpg's default costs a round trip
    per statement): storage functions use no SET, cursor or LISTEN (the change feed and the
    locks have connections of their own); migrations' lock is released, or the pool closed.
    asyncpg still rolls back a transaction left open."""


def unreachable(url: str, exc: BaseException) -> sqlite3.OperationalError:
    """The error of a connection that failed: never the URL itself (it may carry the
    password), the exception's type only."""
    return sqlite3.OperationalError(
        f"cannot connect to PostgreSQL at {redact_url(url)}: {type(exc).__name__}")


async def open_postgres(url: str, migrate: bool = True, pool_size: int = POOL_SIZE) -> PgDatabase:
    """Connect (TCP keepalives on: a dead server is noticed), migrate, and pool."""
    try:
        pool = await asyncpg.create_pool(
            url, min_size=1, max_size=pool_size, timeout=CONNECT_SECONDS,
            command_timeout=STATEMENT_SECONDS, reset=_keep_session,
            server_settings={"application_name": "suara", "tcp_keepalives_idle": "10",
                             "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3",
                             # a process stopped inside a transaction (SIGSTOP, a hung
                             # host) must not hold its row locks, nor the fence, for ever
                             "idle_in_transaction_session_timeout": IDLE_IN_TRANSACTION})
    except (asyncpg.PostgresError, *_UNAVAILABLE, TimeoutError) as exc:
        raise unreachable(url, exc) from exc
    try:
        if migrate:
            async with pool.acquire() as conn:
                with _translated():
                    await migrate_postgres(conn)
    except BaseException:
        await pool.close()
        raise
    return PgDatabase(pool, url)
