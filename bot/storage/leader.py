"""Who leads: the database side of leader election (bot/leadership.py runs it).

PostgreSQL: several processes share the database; the leader holds a session-level advisory
lock on a connection of its own and, on winning it, increments the fencing epoch (the
`leadership` row). That connection is set up so that the server lets the lock go soon after
the leader stops answering, dead or hung: TCP keepalives and a TCP user timeout (a dead host),
`idle_session_timeout` (a hung process: the leader speaks every HEARTBEAT seconds, so its
session is idle longer only when it cannot), statement and lock timeouts (nothing waits long).
The leader acts only within LEASE of a heartbeat it sent that the server answered, LEASE being
shorter than the idle timeout: by the time the server ends a silent leader's session (and
another process may win), that leader has stopped sending on its own.

SQLite: one process, which always leads; no epoch, no heartbeat (SoleSession)."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.storage.db import iso
from bot.storage.urls import is_postgres_url, redact_url

if TYPE_CHECKING:
    import asyncpg

log = logging.getLogger(__name__)

LEADER_LOCK = 0x5355415242     # pg advisory lock key ("SUARB"; migrations use "SUARA")
HEARTBEAT = 1.0                # seconds between a leader's heartbeats (and a follower's tries)
IDLE_SESSION = 5.0             # the server ends a session silent this long: its lock goes
LEASE = 3.0                    # a leader acts this long after a heartbeat it sent was answered
CALL_SECONDS = 2.0             # any statement on the leader connection, client side


@dataclass(frozen=True)
class Term:
    """A leadership won: its fencing epoch (None: SQLite, nothing to fence)."""
    epoch: int | None


class SoleSession:
    """SQLite: this process is the only one; it leads at once and for ever."""

    shared = False

    async def open(self) -> None:
        return None

    async def try_lead(self, now: datetime) -> Term | None:
        return Term(None)

    async def confirm(self, epoch: int | None) -> bool:
        return True

    async def close(self) -> None:
        return None


class PgSession:
    """A connection of its own, for the leader lock and the heartbeat."""

    shared = True

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: asyncpg.Connection | None = None

    async def open(self) -> None:
        import asyncpg
        ms = str(int(IDLE_SESSION * 1000))
        self._conn = await asyncpg.connect(
            self.url, timeout=CALL_SECONDS * 5, command_timeout=CALL_SECONDS,
            server_settings={
                "application_name": "suara-leader",
                "tcp_keepalives_idle": "2", "tcp_keepalives_interval": "1",
                "tcp_keepalives_count": "3", "tcp_user_timeout": ms,
                "idle_session_timeout": ms, "idle_in_transaction_session_timeout": ms,
                "statement_timeout": str(int(CALL_SECONDS * 1000)),
                "lock_timeout": str(int(CALL_SECONDS * 1000))})

    @property
    def conn(self) -> asyncpg.Connection:
        if self._conn is None:
            raise ConnectionError("leader session not open")
        return self._conn

    async def try_lead(self, now: datetime) -> Term | None:
        """Take the lock if it is free and start a new epoch; None when another leads."""
        conn = self.conn
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK):
            return None
        try:
            # The increment waits (lock_timeout at most) for a stale leader's transaction that
            # holds the row shared (pg.check_fence): that one commits first, or never.
            epoch = await conn.fetchval(
                "INSERT INTO leadership (one, epoch, elected_at) VALUES (1, 1, $1)"
                " ON CONFLICT (one) DO UPDATE SET epoch = leadership.epoch + 1,"
                " elected_at = EXCLUDED.elected_at RETURNING epoch", iso(now))
        except BaseException:
            with contextlib.suppress(Exception):
                await conn.execute("SELECT pg_advisory_unlock($1)", LEADER_LOCK)
            raise
        return Term(int(epoch))

    async def confirm(self, epoch: int | None) -> bool:
        """The heartbeat: this session is alive and `epoch` is still the current one."""
        current = await self.conn.fetchval(
            "SELECT epoch FROM leadership WHERE one = 1")
        return current == epoch

    async def close(self) -> None:
        """Drop the connection (and with it the lock): at once, whatever its state."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()


def leader_session(target: str) -> SoleSession | PgSession:
    """The session for DATABASE_URL / DATABASE_PATH `target`."""
    if is_postgres_url(target):
        log.debug("leader election on %s", redact_url(target))
        return PgSession(target)
    return SoleSession()


async def current_epoch(target: str) -> int | None:
    """The epoch now (tests, benchmarks, `db` commands): None before any election or on SQLite."""
    if not is_postgres_url(target):
        return None
    import asyncpg
    conn = await asyncpg.connect(target, timeout=10)
    try:
        value = await conn.fetchval("SELECT epoch FROM leadership WHERE one = 1")
    finally:
        await conn.close()
    return None if value is None else int(value)
