"""Flood control's counts, shared by every process on one PostgreSQL (bot/flood.py).

One row per user: updates this minute and last minute, by the database server's clock, and
the end of a cool-down. The limit is checked on a sliding-window estimate, Cloudflare's:
last minute's count weighted by the part of it still within 60 seconds, plus this minute's.
One upsert per update decides pass, notice (the update that went over: exactly one, whichever
process has it) or drop (until the cool-down ends), atomically on the user's row. It runs as
part of the update's admission statement (storage/turns.py); `count` is the same statement on
its own. SQLite (one process) counts in memory (bot/flood.py) and never writes here."""

from __future__ import annotations

from bot.storage.db import Connection, Database

# The server's clock in ms; every process compares the same clock.
CLOCK = "clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)"

# A CTE `flood` after `new` (the update, if new) and `clock`; {u} the update's id, {user},
# {limit} and {cooldown} (ms): parameter numbers.
FLOOD_CTE = """flood AS (
  INSERT INTO flood_counts AS f (user_id, minute, hits, previous, blocked_until, noticed)
  SELECT ${user}, clock.ms / 60000, 1, 0, NULL, NULL FROM new, clock
  ON CONFLICT (user_id) DO UPDATE SET (minute, hits, previous, blocked_until, noticed) = (
    SELECT n.minute, n.hits, n.previous,
      CASE WHEN f.blocked_until > n.ms THEN f.blocked_until
           WHEN n.previous * (1 - (n.ms % 60000) / 60000.0) + n.hits > CAST(${limit} AS BIGINT)
           THEN n.ms + CAST(${cooldown} AS BIGINT) END,
      CASE WHEN f.blocked_until > n.ms THEN f.noticed
           WHEN n.previous * (1 - (n.ms % 60000) / 60000.0) + n.hits > CAST(${limit} AS BIGINT)
           THEN CAST(${u} AS BIGINT) END
    FROM (SELECT c.ms, c.ms / 60000 AS minute,
            CASE WHEN f.blocked_until <= c.ms THEN 1
                 WHEN f.minute = c.ms / 60000 THEN f.hits + 1 ELSE 1 END AS hits,
            CASE WHEN f.blocked_until <= c.ms THEN 0
                 WHEN f.minute = c.ms / 60000 THEN f.previous
                 WHEN f.minute = c.ms / 60000 - 1 THEN f.hits ELSE 0 END AS previous
          FROM clock c) n)
  RETURNING f.blocked_until, f.noticed)"""

FLOOD_COLUMNS = "(SELECT blocked_until FROM flood), (SELECT noticed FROM flood)"

_COUNT = (f"WITH {CLOCK}, new AS (SELECT CAST($1 AS BIGINT) AS update_id), "
          + FLOOD_CTE.format(u=1, user=2, limit=3, cooldown=4) + f" SELECT {FLOOD_COLUMNS}")


def verdict(update_id: int, blocked_until: int | None, noticed: int | None) -> str:
    """pass, notice or drop, from what the upsert returned."""
    if blocked_until is None:
        return "pass"
    return "notice" if noticed == update_id else "drop"


async def count(db: Database, update_id: int, user_id: int, limit: int,
                cooldown_seconds: float) -> str:
    """Count one update of `user_id` across processes (PostgreSQL only): its verdict."""
    async with db.conn.execute(_COUNT, (update_id, user_id, limit,
                                        int(cooldown_seconds * 1000))) as cur:
        row = await cur.fetchone()
    assert row is not None
    return verdict(update_id, row[0], row[1])


async def purge(conn: Connection) -> None:
    """Forget users not seen for two minutes and out of any cool-down (retention, PostgreSQL)."""
    await conn.execute(
        f"WITH {CLOCK} DELETE FROM flood_counts USING clock"
        " WHERE minute < clock.ms / 60000 - 2"
        " AND (blocked_until IS NULL OR blocked_until < clock.ms)")
