"""Each update handled once, however often Telegram delivers it (a webhook retry, a replay).

PostgreSQL (several processes): the first process to insert the update's id into
processed_updates handles it, in one statement on a pooled connection (no transaction, no
wait for this process's other writes); the others find the row. Recent ids are also kept in
memory, so a retry reaching the same process costs no round trip. An update of a chat is
usually recorded by its admission (storage/turns.py, the same insert with its chat's queue and
turn): then this check costs nothing more. SQLite (one process): only the memory, no write per
update."""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime, timedelta

from bot.storage.db import Database, DatabaseError, iso
from bot.storage.turns import admitted

log = logging.getLogger(__name__)

RECENT = 10_000           # ids remembered per process
KEEP = timedelta(days=1)  # rows older than this are purged (storage/retention.py)


class RecentIds:
    """The last `size` update ids seen by this process."""

    def __init__(self, size: int = RECENT) -> None:
        self.size = size
        self._ids: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


def recent_ids(db: Database) -> RecentIds:
    recent = db.cache.get("recent_updates")
    if recent is None:
        recent = db.cache["recent_updates"] = RecentIds()
    return recent


async def first_delivery(db: Database, update_id: int, now: datetime) -> bool:
    """True if no process has handled `update_id` yet (and now this one does). A database
    that cannot answer lets the update through: handled twice beats never handled."""
    known = admitted(update_id)
    if known is not None:     # admitted by the update processor or the webhook
        return known.new
    if not recent_ids(db).first_time(update_id):
        return False
    if db.dialect != "postgres":
        return True
    try:
        async with db.conn.execute(
                "INSERT INTO processed_updates (update_id, at) VALUES (?, ?)"
                " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
                (update_id, iso(now))) as cur:
            row = await cur.fetchone()
    except DatabaseError as exc:
        log.warning("could not record update as handled (%s); handling it", type(exc).__name__)
        return True
    return row is not None

