"""Which content the bot's processes serve (PostgreSQL, several processes; bot/reload.py).

One row, `content_version`: the fingerprint of the content files the deployment serves, a
generation counted up at each change, and who set it when. Setting it NOTIFYs the channel
`suara_content` in the same transaction (delivered at the commit). Each process hears it on
its one listening connection (storage/changes.py's ChangeFeed, as table "content"), which
also tells it when that connection was lost and is back (a notification may have been
missed: the row is read again); reads and announcements go through the pool. SQLite (one
process) has nothing to share: none of this runs there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.storage.db import Database, iso

if TYPE_CHECKING:
    import asyncpg

CHANNEL = "suara_content"
APPLICATION = "suara-content"     # `content reload`'s own connection
LISTENER = "suara-listen"         # each process's one listening connection (changes.py)
POLLING_LISTENER = "suara-listen-polling"   # the same, of a long-polling process (`run`)
CALL_SECONDS = 10.0
# `content reload` asks first which version each running process's CONTENT_DIR holds: a probe
# on the change feed's channel (table "content_probe", key a token), answered here.
PROBE = "content_probe"
ANSWERS = "suara_content_files"
PROBE_SECONDS = 5.0      # the answers are awaited this long at most

_ANNOUNCE = (
    "INSERT INTO content_version AS c (one, version, generation, set_at, set_by)"
    " VALUES (1, $1, 1, $2, $3) ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version,"
    " generation = c.generation + 1, set_at = EXCLUDED.set_at, set_by = EXCLUDED.set_by")
# The same through the storage API (`?` marks), only when the version is new.
_ANNOUNCE_NEW = (_ANNOUNCE.replace("$1", "?").replace("$2", "?").replace("$3", "?")
                 + " WHERE c.version <> EXCLUDED.version RETURNING version, generation, set_at,"
                 " set_by")
_READ = "SELECT version, generation, set_at, set_by FROM content_version WHERE one = 1"


@dataclass(frozen=True)
class Wanted:
    """The content the deployment serves: its fingerprint and the change's generation."""
    version: str
    generation: int
    set_at: str
    set_by: str


def _wanted(row: Any) -> Wanted | None:
    return None if row is None else Wanted(str(row[0]), int(row[1]), str(row[2]), str(row[3]))


async def _connect(url: str) -> asyncpg.Connection:
    import asyncpg
    return await asyncpg.connect(
        url, timeout=CALL_SECONDS, command_timeout=CALL_SECONDS,
        server_settings={"application_name": APPLICATION, "tcp_keepalives_idle": "10",
                         "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"})


async def _announce(conn: asyncpg.Connection, version: str, set_by: str, now: datetime,
                    only_if_new: bool) -> Wanted | None:
    """Set the deployment's content (NOTIFY with it); None when `only_if_new` and it is
    already that version."""
    sql = _ANNOUNCE + (" WHERE c.version <> EXCLUDED.version" if only_if_new else "")
    async with conn.transaction():
        row = await conn.fetchrow(sql + " RETURNING version, generation, set_at, set_by",
                                  version, iso(now), set_by)
        if row is not None:
            await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, str(row[1]))
    return _wanted(row)


async def read_wanted(db: Database) -> Wanted | None:
    """The deployment's content as the row holds it (None: never set)."""
    async with db.conn.execute(_READ) as cur:
        return _wanted(await cur.fetchone())


async def announce(db: Database, version: str, set_by: str, now: datetime) -> Wanted | None:
    """This process's content becomes the deployment's, notified at the commit (None: it
    already was)."""
    async with db.transaction() as conn:
        async with conn.execute(_ANNOUNCE_NEW, (version, iso(now), set_by)) as cur:
            row = await cur.fetchone()
        if row is not None:
            await conn.execute("SELECT pg_notify(?, ?)", (CHANNEL, str(row[1])))
    return _wanted(row)


async def request_reload(url: str, version: str, set_by: str, now: datetime
                         ) -> tuple[Wanted, int]:
    """`python -m bot content reload`: set the deployment's content (a new generation even if
    the version is the same) and notify; (the row, how many processes are listening)."""
    conn = await _connect(url)
    try:
        wanted = await _announce(conn, version, set_by, now, only_if_new=False)
        listening = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name IN ($1, $2)"
            " AND datname = current_database() AND pid <> pg_backend_pid()", LISTENER,
            POLLING_LISTENER)
    finally:
        await conn.close()
    assert wanted is not None
    return wanted, int(listening)


async def running(url: str) -> tuple[int, int]:
    """The bot processes running on this database now: (serving the webhook, long polling),
    counted by their listening connections (a process killed loses its connection at once; a
    hung one keeps it: it will go on when it wakes)."""
    import asyncpg

    from bot.storage.pg import unreachable
    try:
        conn = await _connect(url)
    except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise unreachable(url, exc) from exc
    try:
        rows = await conn.fetch(
            "SELECT application_name, count(*) FROM pg_stat_activity WHERE application_name"
            " IN ($1, $2) AND datname = current_database() GROUP BY 1", LISTENER,
            POLLING_LISTENER)
    finally:
        await conn.close()
    found = {str(r[0]): int(r[1]) for r in rows}
    return found.get(LISTENER, 0), found.get(POLLING_LISTENER, 0)


async def answer_probe(db: Database, token: str, files: str, process: str) -> None:
    """A running process's answer to `content reload`'s probe: its CONTENT_DIR's version."""
    await db.conn.execute("SELECT pg_notify(?, ?)", (ANSWERS, f"{token} {files} {process}"))


async def probe_files(url: str, wait: float) -> tuple[int, list[tuple[str, str]]]:
    """Which content version each running process's CONTENT_DIR holds: (processes listening,
    [(process, version)] of those that answered within `wait` seconds)."""
    import asyncio
    import uuid

    from bot.storage.changes import CHANNEL
    conn = await _connect(url)
    try:
        token, answers, all_in = uuid.uuid4().hex, [], asyncio.Event()
        listening = int(await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name IN ($1, $2)"
            " AND datname = current_database()", LISTENER, POLLING_LISTENER))

        def heard(_conn: object, _pid: int, _channel: str, payload: str) -> None:
            mark, _, rest = payload.partition(" ")
            if mark == token:
                files, _, process = rest.partition(" ")
                answers.append((process, files))
                if len(answers) >= listening:
                    all_in.set()

        await conn.add_listener(ANSWERS, heard)
        if listening:
            await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{PROBE}:{token}")
            try:
                await asyncio.wait_for(all_in.wait(), wait)
            except TimeoutError:
                pass
    finally:
        await conn.close()
    return listening, answers
