"""What one process changes, the others hear of at once (PostgreSQL's LISTEN/NOTIFY).

A storage function that changes a row other processes keep in memory (a user's language or
village, an official's roles, an official's draft) calls `changed()` inside its transaction:
PostgreSQL delivers "<table>:<key>" on CHANNEL when the transaction commits, to every process
listening, this one included. Each process listens on one connection of its own (`ChangeFeed`,
started by bot/sharing.py); its callbacks drop or reload what they keep. The same connection
hears the deployment's content version change (storage/content_state.py, bot/reload.py):
one listening connection per process. When that connection
is lost, and once more when it is back, every callback hears `None` ("anything may have
changed"): nothing missed meanwhile stays in memory.

Why not short TTLs: a recent user is answered from memory with no round trip per update;
a TTL short enough for "seen within a second" would cost a read on nearly every update,
while a notification costs one statement per change (rare) and arrives in milliseconds.

SQLite (one process): `changed()` does nothing, and no feed runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.storage.content_state import CHANNEL as CONTENT_CHANNEL
from bot.storage.content_state import LISTENER
from bot.tasks import cancel_and_wait

log = logging.getLogger(__name__)

CHANNEL = "suara_changes"
CHECK_SECONDS = 2.0        # how often the listening connection is asked whether it still lives
RETRY_SECONDS = 1.0        # wait before connecting again
# A dead server or host is noticed by the check above and by TCP keepalives.
LISTENER_SETTINGS = {"application_name": LISTENER, "tcp_keepalives_idle": "10",
                     "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}

# A callback gets the changed row's key (as text), or None when anything may have changed.
Callback = Callable[[str | None], Awaitable[None] | None]


def shared(db: Any) -> bool:
    """Whether other processes may change this database's rows (PostgreSQL): what this process
    keeps in memory of them must then be read again or kept current by a feed."""
    return getattr(db, "dialect", "sqlite") == "postgres"


async def changed(conn: Any, table: str, key: object) -> None:
    """Inside the caller's transaction on `conn`: tell every process, at commit, that `table`'s
    row `key` changed. Nothing on SQLite (no statement at all)."""
    if not shared(conn):
        return
    await conn.execute("SELECT pg_notify(?, ?)", (CHANNEL, f"{table}:{key}"))


class ChangeFeed:
    """One listening connection, reconnecting; calls each table's callbacks in order (one at
    a time, so that two reloads of one table never overtake each other)."""

    def __init__(self, url: str, listener: str = LISTENER) -> None:
        self.url = url
        # its connection's name says how the process takes updates (content_state.running)
        self.settings = {**LISTENER_SETTINGS, "application_name": listener}
        self._callbacks: dict[str, list[Callback]] = {}
        self._queue: asyncio.Queue[tuple[str | None, str | None]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self.connected = asyncio.Event()
        self.received = 0        # notifications heard (tests, diagnostics)

    def on(self, table: str, callback: Callback) -> None:
        self._callbacks.setdefault(table, []).append(callback)

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen(), name="changes-listen"),
                       asyncio.create_task(self._dispatch(), name="changes-dispatch")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()          # all at once, then each waited for
        for task in self._tasks:
            await cancel_and_wait(task)
        self._tasks = []

    def _heard(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        table, _, key = payload.partition(":")
        self.received += 1
        self._queue.put_nowait((table, key))

    def _heard_content(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.received += 1
        self._queue.put_nowait(("content", payload))

    async def _listen(self) -> None:
        import asyncpg

        from bot.storage.pg import CONNECT_SECONDS
        while True:
            conn = None
            try:
                conn = await asyncpg.connect(self.url, timeout=CONNECT_SECONDS,
                                             server_settings=self.settings)
                await conn.add_listener(CHANNEL, self._heard)
                # The deployment's content version (storage/content_state.py), as "content".
                await conn.add_listener(CONTENT_CHANNEL, self._heard_content)
                self._queue.put_nowait((None, None))   # what changed while not listening
                self.connected.set()
                while True:
                    await asyncio.sleep(CHECK_SECONDS)
                    await conn.fetchval("SELECT 1", timeout=CHECK_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception as exc:     # the server gone, a timeout: listen again
                log.warning("change feed: %s; listening again", type(exc).__name__)
            finally:
                if self.connected.is_set():
                    self.connected.clear()
                    self._queue.put_nowait((None, None))
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), CHECK_SECONDS)
            await asyncio.sleep(RETRY_SECONDS)

    async def _dispatch(self) -> None:
        while True:
            table, key = await self._queue.get()
            targets = self._callbacks.get(table, []) if table is not None else \
                [cb for cbs in self._callbacks.values() for cb in cbs]
            for callback in targets:
                try:
                    result = callback(key)
                    if result is not None:
                        await result
                except asyncio.CancelledError:
                    raise
                except Exception:    # one cache's trouble must not stop the others'
                    log.exception("change feed: a callback for %s failed", table)
