"""Users: id, language, first/last seen, campaign of origin. Nothing else."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.storage.changes import CHANNEL, changed
from bot.storage.db import Connection, Database

# Avoid a write per message: last_seen only moves when it is this stale.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
RECENT_USERS = 20_000     # users kept in memory (about 200 bytes each)


@dataclass(frozen=True, slots=True)
class User:
    user_id: int
    language: str
    language_set: bool      # not Telegram's: chosen with /bahasa, or the one the user types in
    first_seen: str
    last_seen: str
    campaign: str | None
    region_code: str | None = None
    waiting_entry: str | None = None    # the question asked before the region was known, or
    # what else waits for a place ("+": /langganan, "-": /wilayah; regions/waiting.py)
    waiting_until: str | None = None     # until when it waits (None: until answered)
    language_chosen: bool = False        # with /bahasa: what they type does not change it
    created: bool = False   # touch_user made the row: this is the user's first update (never kept)


def _recent(db: Database) -> OrderedDict[int, User]:
    cache = db.cache.get("users")
    if cache is None:
        cache = db.cache["users"] = OrderedDict()
    return cache


def forget_user(db: Database, user_id: int | None) -> None:
    """The row changed (None: any row may have): the next read goes to the database. Called
    here, and on PostgreSQL for a change another process made (storage/changes.py)."""
    # A read begun before the change must not be kept after it: touch_user keeps what it read
    # only if nothing was forgotten meanwhile.
    db.cache["users_forgotten"] = db.cache.get("users_forgotten", 0) + 1
    if user_id is None:
        _recent(db).clear()
    else:
        _recent(db).pop(user_id, None)


_COLUMNS = ("user_id, language, language_set, first_seen, last_seen, campaign, region_code,"
            " waiting_entry, waiting_until")
_TOUCH = """
    INSERT INTO users (user_id, language, first_seen, last_seen) VALUES (?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET
        last_seen = excluded.last_seen,
        -- follow Telegram's language until the user picks one explicitly
        -- (1: chosen with /bahasa; 2: the language they type in, follow_typed_language)
        language = CASE WHEN users.language_set <> 0 THEN users.language ELSE excluded.language END
    WHERE users.last_seen < ? OR (users.language_set = 0 AND users.language <> excluded.language)
    """
# PostgreSQL: the row the upsert wrote, else (nothing to write) the row as it stands. A row
# another process inserted during the statement is in neither (the statement's snapshot is
# older): none comes back, and get_user reads it.
# xmax = 0: the upsert inserted the row (an updated row carries the updating transaction's id).
_TOUCH_READ = (f"WITH up AS ({_TOUCH} RETURNING {_COLUMNS}, xmax = 0 AS created)"
               f" SELECT {_COLUMNS}, created FROM up"
               f" UNION ALL SELECT {_COLUMNS}, FALSE FROM users WHERE user_id = ?"
               " AND NOT EXISTS (SELECT 1 FROM up)")


async def touch_user(db: Database, user_id: int, language: str, now: datetime) -> User:
    """Create the user on first sight, refresh last_seen; return the stored row. A user seen
    within LAST_SEEN_RESOLUTION whose language stands is answered from memory: no write and no
    read for every message (this runs for every update). Otherwise one round trip on
    PostgreSQL (each process keeps its own recent users, so with N processes a user's first
    update at each costs one), three local statements on SQLite. The user returned says whether
    this call made the row (`created`: the user's first update)."""
    stamp = now.isoformat(timespec="seconds")
    stale = (now - LAST_SEEN_RESOLUTION).isoformat(timespec="seconds")
    recent = _recent(db)
    known = recent.get(user_id)
    if known is not None and known.last_seen >= stale and (
            known.language_set or known.language == language):
        recent.move_to_end(user_id)
        return known
    forgotten = db.cache.get("users_forgotten", 0)
    params = (user_id, language, stamp, stamp, stale)
    if db.dialect == "postgres":    # one round trip: the upsert and the row it leaves
        cur = await db.write(_TOUCH_READ, (*params, user_id))
        row = await cur.fetchone()
        created = row is not None and bool(row["created"])
        user = _user(row) if row is not None else await get_user(db, user_id)
    else:
        async with db.transaction() as conn:     # BEGIN IMMEDIATE: nobody inserts in between
            async with conn.execute("SELECT 1 FROM users WHERE user_id = ?", (user_id,)) as found:
                created = await found.fetchone() is None
            await conn.execute(_TOUCH, params)
        user = await get_user(db, user_id)
    assert user is not None
    if db.cache.get("users_forgotten", 0) == forgotten:   # else changed meanwhile: read it next time
        recent[user_id] = user
        if len(recent) > RECENT_USERS:
            recent.popitem(last=False)
    return replace(user, created=True) if created else user


async def get_user(db: Database, user_id: int) -> User | None:
    async with db.conn.execute(f"SELECT {_COLUMNS} FROM users WHERE user_id = ?",
                               (user_id,)) as cur:
        row = await cur.fetchone()
    return None if row is None else _user(row)


def _user(row: Any) -> User:
    return User(
        user_id=row["user_id"],
        language=row["language"],
        language_set=bool(row["language_set"]),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        campaign=row["campaign"],
        region_code=row["region_code"],
        waiting_entry=row["waiting_entry"],
        waiting_until=row["waiting_until"],
        language_chosen=row["language_set"] == 1,
    )


async def _update(db: Database, user_id: int, assignments: str, params: tuple[Any, ...],
                  condition: str = "") -> None:
    """One UPDATE of the user's row, every process told (storage/changes.py). On PostgreSQL
    one autocommit statement notifies for the row it changed (RETURNING pg_notify): one round
    trip, where a transaction took four (BEGIN, UPDATE, NOTIFY, COMMIT)."""
    sql = f"UPDATE users SET {assignments} WHERE user_id = ?{condition}"
    if db.dialect == "postgres":
        await db.write(sql + " RETURNING pg_notify(?, ?)",
                       (*params, user_id, CHANNEL, f"users:{user_id}"))
    else:
        await db.write(sql, (*params, user_id))
    forget_user(db, user_id)


async def set_language(db: Database, user_id: int, language: str) -> None:
    await _update(db, user_id, "language = ?, language_set = 1", (language,))


async def follow_typed_language(db: Database, user_id: int, language: str) -> None:
    """The language a user types in, where they did not choose one with /bahasa: an
    Indonesian on an English phone gets Indonesian menus and buttons from then on, not only the
    answer to what they typed; Telegram's language no longer overrides it."""
    await _update(db, user_id, "language = ?, language_set = 2", (language,),
                  " AND language_set <> 1")


async def set_region(db: Database, user_id: int, region_code: str) -> None:
    """The citizen's region; a question that waited for it no longer waits."""
    await _update(db, user_id, "region_code = ?, waiting_entry = NULL, waiting_until = NULL",
                  (region_code,))


async def set_waiting(db: Database, user_id: int, entry_id: str | None,
                      until: str | None = None) -> None:
    """The entry a citizen waits to have answered once their region is known, or what else
    waits for their place, until `until` (None: until answered); entry None: nothing waits."""
    await _update(db, user_id, "waiting_entry = ?, waiting_until = ?", (entry_id, until))


async def delete_user(db: Database, user_id: int) -> bool:
    """Delete every row the bot holds about this user (unanswered questions carry no user id;
    an official's roles and official_records are the office's record, not the citizen's, and
    stay: /hapusdata says so)."""
    async with db.transaction() as conn:
        deleted = await erase(conn, user_id)
    forget_user(db, user_id)
    return deleted


async def erase(conn: Connection, user_id: int) -> bool:
    """delete_user's statements, in the caller's transaction (also for an account Telegram
    says is deleted: storage.broadcasts). The subscription goes with the user row (ON DELETE
    CASCADE); delivery records and daily counts are deleted here: they too say something about
    this person, as do the questions their recent answers answered (answered_messages,
    PostgreSQL: keyed by the chat, which in a private chat is the user's id)."""
    await conn.execute("DELETE FROM answered_messages WHERE chat_id = ?", (user_id,))
    await conn.execute("DELETE FROM deliveries WHERE user_id = ?", (user_id,))
    await conn.execute("DELETE FROM daily_counts WHERE user_id = ?", (user_id,))
    await conn.execute("DELETE FROM campaign_starts WHERE user_id = ?", (user_id,))
    await conn.execute("DELETE FROM flood_counts WHERE user_id = ?", (user_id,))
    # an official's request messages (their ids): those requests' outcomes are not edited in
    await conn.execute("DELETE FROM approval_messages WHERE chat_id = ?", (user_id,))
    cur = await conn.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
    await changed(conn, "users", user_id)      # other processes forget it too (PostgreSQL)
    return bool(cur.rowcount > 0)


async def export_user(db: Database, user_id: int) -> dict[str, list[dict[str, object]]]:
    """Every row about this user, table by table: every table with a user_id column is read,
    and every one keyed by chat_id for their private chat (whose id is theirs), so a table
    added later is included without anyone remembering to; and an official's records
    (official_records)."""
    found: dict[str, list[dict[str, object]]] = {}
    for table, columns in (await db.table_columns()).items():
        key = "user_id" if "user_id" in columns else "chat_id" if "chat_id" in columns else None
        if key is None:
            continue
        async with db.conn.execute(f'SELECT * FROM "{table}" WHERE {key} = ?', (user_id,)) as cur:
            rows = [dict(row) for row in await cur.fetchall()]
        if rows:
            found[table] = rows
    found.update(await official_records(db, user_id))
    return found


async def official_records(db: Database, user_id: int) -> dict[str, list[dict[str, object]]]:
    """What an official's work left under their id in tables not keyed by user_id: approval
    requests they made or decided, broadcasts they made or approved, and audit entries by
    them or naming them ("tg:<id>", or the id of a role given or taken). Part of /datasaya;
    /hapusdata keeps them (the election office's record of its officials' actions)."""
    who = f"tg:{user_id}"
    queries = {
        "approvals": ("SELECT * FROM approvals WHERE requested_by = ? OR decided_by = ?"
                      " ORDER BY id", (user_id, user_id)),
        "broadcasts": ("SELECT * FROM broadcasts WHERE created_by = ? OR approved_by = ?"
                       " ORDER BY id", (who, who)),
        # A candidate by LIKE; kept only where the id stands as a whole number (not 9010 for 901).
        "audit_log": ("SELECT * FROM audit_log WHERE actor = ? OR detail LIKE ? ORDER BY id",
                      (who, f"%{user_id}%")),
    }
    whole = re.compile(rf"(?<![0-9]){user_id}(?![0-9])")
    found: dict[str, list[dict[str, object]]] = {}
    for table, (sql, params) in queries.items():
        async with db.conn.execute(sql, params) as cur:
            rows = [dict(row) for row in await cur.fetchall()]
        if table == "audit_log":
            rows = [r for r in rows if r["actor"] == who or whole.search(str(r["detail"]))]
        if rows:
            found[table] = rows
    return found


async def count_users(db: Database) -> int:
    async with db.conn.execute("SELECT COUNT(*) FROM users") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0
